package io.sluice.cluster;

import org.apache.camel.cluster.CamelClusterMember;
import org.apache.camel.cluster.CamelClusterService;
import org.apache.camel.support.cluster.AbstractCamelClusterView;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.integration.leader.AbstractCandidate;
import org.springframework.integration.leader.Context;
import org.springframework.integration.support.leader.LockRegistryLeaderInitiator;
import org.springframework.integration.support.locks.LockRegistry;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * One namespace's leadership on the database lock: while started, this process contends for the lock named after the
 * namespace and tells the Camel master consumers when it wins or loses it. Only the local member is known: who else
 * contends is not recorded anywhere.
 */
class DatabaseClusterView extends AbstractCamelClusterView {

    private static final Logger log = LoggerFactory.getLogger(DatabaseClusterView.class);

    private final LockRegistry locks;
    private final Duration heartbeat;
    private final LocalMember local;
    private volatile boolean leader;
    private LockRegistryLeaderInitiator initiator;

    DatabaseClusterView(CamelClusterService service, String namespace, LockRegistry locks, String memberId, Duration heartbeat) {
        super(service, namespace);
        this.locks = locks;
        this.heartbeat = heartbeat;
        this.local = new LocalMember(memberId);
    }

    @Override
    public Optional<CamelClusterMember> getLeader() {
        return leader ? Optional.of(local) : Optional.empty();
    }

    @Override
    public CamelClusterMember getLocalMember() {
        return local;
    }

    @Override
    public List<CamelClusterMember> getMembers() {
        return List.of(local);
    }

    @Override
    protected synchronized void doStart() {
        initiator = new LockRegistryLeaderInitiator(locks, new Candidate());
        // the holder renews every heartbeat; the others try as often, each try waiting up to a heartbeat for the lock
        initiator.setHeartBeatMillis(heartbeat.toMillis());
        initiator.setBusyWaitMillis(heartbeat.toMillis());
        initiator.start();
    }

    @Override
    protected synchronized void doStop() throws Exception {
        if (initiator != null) {
            initiator.destroy(); // gives the lock up (the next replica wins it at once) and ends its thread
            initiator = null;
        }
    }

    private final class Candidate extends AbstractCandidate {

        Candidate() {
            super(local.getId(), getNamespace());
        }

        @Override
        public void onGranted(Context context) {
            leader = true;
            log.info("This replica ({}) now leads {}", local.getId(), getNamespace());
            fireLeadershipChangedEvent(local);
        }

        @Override
        public void onRevoked(Context context) {
            if (leader) {
                leader = false;
                log.info("This replica ({}) no longer leads {}", local.getId(), getNamespace());
                fireLeadershipChangedEvent((CamelClusterMember) null);
            }
        }
    }

    private final class LocalMember implements CamelClusterMember {

        private final String id;

        LocalMember(String id) {
            this.id = id;
        }

        @Override
        public boolean isLeader() {
            return leader;
        }

        @Override
        public boolean isLocal() {
            return true;
        }

        @Override
        public String getId() {
            return id;
        }
    }
}
