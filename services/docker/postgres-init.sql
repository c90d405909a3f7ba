-- docker-compose only: the registry's storage database beside `rtds` (created by POSTGRES_DB).
-- Runs once, when the postgres-data volume is first initialised.
CREATE DATABASE apicurio;
