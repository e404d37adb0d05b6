-- A migration of a release later than this one: RollingUpgradeTest applies it to show that this release then refuses to start
CREATE TABLE later_release_table (id BIGINT PRIMARY KEY);
