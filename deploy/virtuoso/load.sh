#!/bin/sh
# Load a GovSocial KG build into a fresh Virtuoso database and start Virtuoso on it (README, "Verified engines").
#
#   deploy/virtuoso/load.sh BUILD_DIR DB_DIR
#
# BUILD_DIR is a build directory (`readlink -f var/store/current`); DB_DIR must not hold a database yet. The
# script copies virtuoso.ini (beside this file) into DB_DIR with the two ports set, starts Virtuoso there in the
# background, bulk-loads the build's N-Quads dump (dumps/govsocial.nq.gz) into the graphs its quads name,
# revokes the SPARQL user's rights to call out or write, checkpoints, and prints the endpoint and the front
# end's settings. Virtuoso keeps running (also when the load fails); stop it with the command printed last.
#
# Environment: VIRTUOSO_HTTP_PORT (8890) and VIRTUOSO_SQL_PORT (1111), both bound to 127.0.0.1;
# VIRTUOSO_DBA_PASSWORD (letters and digits), set as dba's password after the load (a fresh database has
# dba/dba).
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
BUILD_DIR=${1:?usage: load.sh BUILD_DIR DB_DIR}
DB_DIR=${2:?usage: load.sh BUILD_DIR DB_DIR}
HTTP_PORT=${VIRTUOSO_HTTP_PORT:-8890}
SQL_PORT=${VIRTUOSO_SQL_PORT:-1111}
DUMP="$BUILD_DIR/dumps/govsocial.nq.gz"

[ -f "$DUMP" ] || { echo "load.sh: no dump at $DUMP (is $BUILD_DIR a build directory?)" >&2; exit 2; }
[ -e "$DB_DIR/virtuoso.db" ] && { echo "load.sh: $DB_DIR already holds a database; give a new directory" >&2; exit 2; }
command -v virtuoso-t >/dev/null || { echo "load.sh: virtuoso-t not found (apt-get install virtuoso-opensource)" >&2; exit 2; }
ISQL=$(command -v isql-vt || command -v isql) || { echo "load.sh: isql-vt not found" >&2; exit 2; }

mkdir -p "$DB_DIR"
sed -e "s/^ServerPort\( *\)= 127.0.0.1:1111$/ServerPort\1= 127.0.0.1:$SQL_PORT/" \
    -e "s/^ServerPort\( *\)= 127.0.0.1:8890$/ServerPort\1= 127.0.0.1:$HTTP_PORT/" \
    "$HERE/virtuoso.ini" > "$DB_DIR/virtuoso.ini"
# DirsAllowed is the database directory: the loader reads the dump from there
cp "$DUMP" "$DB_DIR/govsocial.nq.gz"

# +wait: return once the database is open and both ports listen; Virtuoso then runs as a daemon
(cd "$DB_DIR" && virtuoso-t +configfile virtuoso.ini +wait)

isql() {
    "$ISQL" "127.0.0.1:$SQL_PORT" dba "${DBA_PASSWORD:-dba}" VERBOSE=OFF BANNER=OFF PROMPT=OFF ERRORS=STDOUT "$@"
}

# ld_dir registers the file; the graph given is used only for triples without one (our dump has none);
# rdf_loader_run loads every registered file; ll_error is NULL for a file loaded whole.
isql <<'SQL'
ld_dir ('.', 'govsocial.nq.gz', 'https://w3id.org/govsocial/graph/unnamed');
rdf_loader_run ();
checkpoint;
SQL
failed=$(isql exec="SELECT COUNT(*) FROM DB.DBA.LOAD_LIST WHERE ll_state <> 2 OR ll_error IS NOT NULL;" | tr -dc '0-9')
if [ "$failed" != "0" ]; then
    isql exec="SELECT ll_file, ll_state, ll_error FROM DB.DBA.LOAD_LIST;" >&2
    echo "load.sh: the loader did not load the dump whole (see $DB_DIR/virtuoso.log)" >&2
    echo "stop: $ISQL 127.0.0.1:$SQL_PORT dba dba -K" >&2
    exit 1
fi

# The SPARQL endpoint runs as the user SPARQL: no SERVICE calls, no sponging (fetching graphs named in FROM),
# no updates. A fresh 7.2.5 database grants it none of these directly; a statement fails harmlessly where
# nothing was granted. Its endpoint then refuses SERVICE, `define get:soft`, INSERT DATA and LOAD with a
# SECURITY error; `python -m bench.engines` sends it a SERVICE query to a listener of its own on every run.
isql <<'SQL' >/dev/null
REVOKE "SPARQL_LOAD_SERVICE_DATA" FROM "SPARQL";
REVOKE "SPARQL_SPONGE" FROM "SPARQL";
REVOKE "SPARQL_UPDATE" FROM "SPARQL";
SQL

if [ -n "${VIRTUOSO_DBA_PASSWORD:-}" ]; then
    isql exec="USER_SET_PASSWORD ('dba', '$VIRTUOSO_DBA_PASSWORD');" >/dev/null
    DBA_PASSWORD=$VIRTUOSO_DBA_PASSWORD
fi
isql exec="checkpoint;" >/dev/null

isql exec="SPARQL SELECT ?g (COUNT(*) AS ?triples) WHERE { GRAPH ?g { ?s ?p ?o } FILTER (STRSTARTS (STR (?g), 'https://w3id.org/govsocial/graph/')) } GROUP BY ?g ORDER BY ?g;"
MAX_ROWS=$(sed -n 's/^ResultSetMaxRows *= *\([0-9]*\).*/\1/p' "$DB_DIR/virtuoso.ini")
echo "endpoint: http://127.0.0.1:$HTTP_PORT/sparql"
echo "front end: GOVSOCIAL_ENGINE_URL=http://127.0.0.1:$HTTP_PORT/sparql GOVSOCIAL_ENGINE_DATASET=named GOVSOCIAL_ENGINE_MAX_ROWS=$MAX_ROWS govsocial serve"
echo "stop: $ISQL 127.0.0.1:$SQL_PORT dba <password> -K"
