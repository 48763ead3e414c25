#!/usr/bin/env bash
# Run the benchmarks in bench/ one after another and keep what each prints.
#
#   bench/run_all.sh                  # every benchmark, modest sizes (a few minutes)
#   bench/run_all.sh --full           # the sizes the issues name (much longer)
#   bench/run_all.sh timing chaos     # only these, modest sizes
#
# Output: bench/out/<name>.txt per benchmark (stdout and stderr), and
# bench/out/summary.txt (date, commit, machine, exit status and time of each).
# A benchmark that fails is reported and the others still run; the script exits 1
# if any failed. Nothing here runs under `make test`.
set -u

cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
OUT=bench/out
mkdir -p "$OUT"

full=0
selected=()
for arg in "$@"; do
    case "$arg" in
        --full) full=1 ;;
        -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
        *) selected+=("$arg") ;;
    esac
done

# name, then its arguments: modest sizes first, the issues' sizes with --full.
# Order: the cheap pure-CPU ones, then the service end to end, then the long ones.
if [ "$full" = 1 ]; then
    plan=(
        "http_executor --requests 5000 --rounds 3"
        "reconcile --rows 1000000 --breaks 2000"
        "sqlite_store_throughput --jobs 1000000"
        "dashboard_queries --jobs 1000000"
        "delivery --jobs 50000 --workers 2"
        "timing --jobs 2000 --spread 20 --workers 2"
        "payments --count 2000 --concurrency 32 --workers 1"
        "scale --jobs 1000000 --batch 10000"
        "chaos --jobs 100000"
        "pg_claim --jobs 200000"
        "pg_delivery"
        "pg_claim_10m --pending 10000000 --finished 10000000"
    )
else
    plan=(
        "http_executor --requests 2000 --rounds 2"
        "reconcile --rows 200000 --breaks 500 --repeat 1"
        "sqlite_store_throughput --jobs 200000"
        "dashboard_queries --jobs 200000"
        "delivery --jobs 10000 --workers 2"
        "timing --jobs 2000 --spread 20 --workers 2"
        "payments --count 500 --concurrency 16 --workers 1"
        "scale --jobs 200000 --batch 10000"
        "chaos --jobs 20000"
        "pg_claim --jobs 50000"
        "pg_delivery"
        "pg_claim_10m --pending 300000 --finished 300000"
    )
fi

# Modules in bench/ that are helpers, not benchmarks.
helpers=" __init__ service sink "

wanted() {
    [ ${#selected[@]} -eq 0 ] && return 0
    local name
    for name in "${selected[@]}"; do [ "$name" = "$1" ] && return 0; done
    return 1
}

summary="$OUT/summary.txt"
{
    echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet 2>/dev/null || echo ' (with local changes)')"
    echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $(free -g | awk '/^Mem:/ {print $2 " GB"}')"
    echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "sizes: $([ "$full" = 1 ] && echo full || echo modest)"
} >"$summary"

failed=0
planned=" "
for entry in "${plan[@]}"; do
    read -r name args <<<"$entry"
    planned+="$name "
    wanted "$name" || continue
    if [ ! -f "bench/$name.py" ]; then
        echo "$name: not present, skipped" | tee -a "$summary"
        continue
    fi
    echo "== $name $args"
    started=$(date +%s)
    # shellcheck disable=SC2086  # the arguments are meant to split
    "$PY" -m "bench.$name" $args >"$OUT/$name.txt" 2>&1
    status=$?
    took=$(( $(date +%s) - started ))
    if [ "$status" = 0 ]; then
        verdict="ok"
    else
        verdict="FAILED (exit $status)"
        failed=1
    fi
    echo "$name: $verdict in ${took}s: $PY -m bench.$name $args" | tee -a "$summary"
    # The figures are the last lines; worker logs (e.g. chaos's kills) come before.
    grep -v ' WARNING \| INFO ' "$OUT/$name.txt" | tail -n 12 | sed 's/^/    /'
done

# A benchmark added to bench/ but not to the plan above is named, not silently skipped.
for file in bench/*.py; do
    name=$(basename "$file" .py)
    case "$helpers$planned" in
        *" $name "*) ;;
        *) echo "$name: in bench/ but not in run_all.sh's plan, not run" | tee -a "$summary" ;;
    esac
done

exit "$failed"
