package io.sluice.whop;

class WhopSyncH2Test extends WhopSyncContract {
}
