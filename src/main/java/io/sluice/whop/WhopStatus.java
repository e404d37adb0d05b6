package io.sluice.whop;

import io.sluice.config.WhopProperties;
import io.sluice.status.StatusContributor;
import io.sluice.store.SyncRunStore;
import io.sluice.whop.oauth.WhopOAuthTokens;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

import java.util.LinkedHashMap;
import java.util.Map;

/** Whop in the status: the last pull, the credential in use, the schedule and the OAuth connection. */
@Component
@Order(40)
class WhopStatus implements StatusContributor {

    private final WhopProperties settings;
    private final WhopCredentials credentials;
    private final WhopOAuthTokens oauth;
    private final SyncRunStore syncRuns;

    WhopStatus(WhopProperties settings, WhopCredentials credentials, WhopOAuthTokens oauth, SyncRunStore syncRuns) {
        this.settings = settings;
        this.credentials = credentials;
        this.oauth = oauth;
        this.syncRuns = syncRuns;
    }

    @Override
    public void contribute(Map<String, Object> status) {
        status.put("lastSync", syncRuns.recent(1).stream().findFirst().map(run -> {
            Map<String, Object> last = new LinkedHashMap<>();
            last.put("id", run.id());
            last.put("mode", run.mode());
            last.put("status", run.status());
            last.put("startedAt", run.startedAt());
            last.put("finishedAt", run.finishedAt());
            last.put("lastError", run.lastError());
            return last;
        }).orElse(null));
        Map<String, Object> whop = new LinkedHashMap<>();
        whop.put("credential", credentials.kind());
        whop.put("pollEnabled", settings.pollEnabled());
        whop.put("pollInterval", settings.poll().interval().toString());
        whop.put("fullInterval", settings.poll().fullInterval().toString());
        whop.put("oauth", oauth.status());
        status.put("whop", whop);
    }
}
