// Headless Node-RED for the ingest comparison (bench/ingest.sh): no editor, no admin API. The webhook secret, the
// PostgreSQL connection and the port come from the environment the script sets.
const crypto = require('crypto');
const pg = require('pg');

const pool = new pg.Pool({
    host: process.env.BENCH_PG_HOST || '127.0.0.1',
    port: Number(process.env.BENCH_PG_PORT || 5432),
    user: process.env.BENCH_PG_USER || 'postgres',
    database: process.env.BENCH_PG_DATABASE || 'sluice_bench',
    max: 16,
});

module.exports = {
    uiPort: Number(process.env.NODE_RED_PORT || 18880),
    uiHost: '127.0.0.1',
    userDir: process.env.NODE_RED_USER_DIR,
    flowFile: 'flows.json',
    httpAdminRoot: false,
    credentialSecret: false,
    logging: { console: { level: 'warn', metrics: false, audit: false } },
    functionExternalModules: false,
    // the whole Whop secret, prefix included, is the HMAC key (docs/connectors/whop.md), as in Sluice
    functionGlobalContext: { crypto, pool, key: Buffer.from(process.env.BENCH_WEBHOOK_SECRET, 'utf8') },
    contextStorage: { default: { module: 'memory' } },
    diagnostics: { enabled: false },
    telemetry: { enabled: false },
};
