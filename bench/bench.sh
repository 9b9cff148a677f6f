#!/usr/bin/env bash
# make bench: Go benchmarks of the hot paths, end-to-end `tyomatka run` on
# the 10k-client and the national (100k-client) year, and the same input
# files read by openpyxl (read-only) and pandas. Writes bench/RESULTS.md.
#
# Data sets (generated once, deterministic from the seed, git-ignored):
#   10k        10,000 clients, 3,500 other persons on the lists: ~120k rows
#   100k       100,000 clients, 35,000 others: ~100k rows a list, ~1.2M rows
#              (the sizes the performance issue names)
#   100k-full  100,000 clients and as many others: ~1.9M rows (the bot only)
#
# Environment: RUNS (bot runs per case, best counts; default 3), PYRUNS
# (Python runs per case; default 3), SIZES (default "10k 100k 100k-full"),
# SKIP_GO=1 / SKIP_PY=1 to leave parts out, GOBENCHTIME (default 200ms).
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${RUNS:-3}
PYRUNS=${PYRUNS:-3}
SIZES=${SIZES:-10k 100k 100k-full}
GOBENCHTIME=${GOBENCHTIME:-200ms}
BIN=bin/tyomatka
DATA=bench/data
OUT=$DATA/out
PY=/usr/bin/python3 # Debian's python, where python3-openpyxl installs
export TYOMATKA_PSEUDONYM_KEY=${TYOMATKA_PSEUDONYM_KEY:-bench-pseudonym-key-not-for-production}
mkdir -p "$OUT"

genflags() {
	case $1 in
	10k) echo "-clients 10000 -others 3500" ;;
	100k) echo "-clients 100000 -others 35000" ;;
	100k-full) echo "-clients 100000 -others 100000" ;;
	*) echo "unknown size $1" >&2; exit 2 ;;
	esac
}
config() { case $1 in 10k) echo bench/area-$2.toml ;; 100k) echo bench/national-$2.toml ;; 100k-full) echo bench/national-full-$2.toml ;; esac; }
python() { case $1 in *-full) return 1 ;; esac; [ "${SKIP_PY:-}" != 1 ]; }

# Data: generated once, deterministic from the seed, git-ignored; "done"
# holds the flags it was made with, so changed flags regenerate it.
for size in $SIZES; do
	flags="$(genflags "$size") -months 12 -last 2026-10 -seed 7 -format both"
	if [ "$(cat "$DATA/$size/done" 2>/dev/null)" != "$flags" ]; then
		echo "== generating $size: $flags, into $DATA/$size"
		rm -rf "${DATA:?}/$size"
		# shellcheck disable=SC2086 # flags are words
		$BIN generate $flags -out "$DATA/$size" >"$DATA/$size.generate.log"
		echo "$flags" >"$DATA/$size/done"
	fi
done

load() { cut -d' ' -f1-3 /proc/loadavg; }

# best N LOG CMD...: runs CMD N times under /usr/bin/time, prints "seconds
# maxrss_kb" of the fastest; every run's output goes to LOG, the fastest
# run's also to LOG.best.
best() {
	local n=$1 log=$2
	shift 2
	local bs="" bk=""
	: >"$log"
	for _ in $(seq "$n"); do
		/usr/bin/time -f '%e %M' -o "$OUT/time.txt" "$@" >"$log.last" 2>&1
		cat "$log.last" >>"$log"
		read -r s k <"$OUT/time.txt"
		if [ -z "$bs" ] || awk -v a="$s" -v b="$bs" 'BEGIN{exit !(a<b)}'; then
			bs=$s bk=$k
			mv "$log.last" "$log.best"
		fi
	done
	rm -f "$log.last"
	echo "$bs $bk"
}

# phase LOG MESSAGE: the seconds the run's JSON log line MESSAGE reports.
phase() {
	grep -h "\"message\":\"$2\"" "$1" | sed -n 's/.*"seconds":\([0-9.e+-]*\).*/\1/p' | head -1
}

if [ "${SKIP_GO:-}" != 1 ]; then
	echo "== Go benchmarks (load $(load))"
	go test -run '^$' -bench . -benchmem -benchtime "$GOBENCHTIME" \
		./internal/hetu ./internal/cellvalue ./internal/sheet ./internal/accrual ./internal/billing ./internal/report |
		tee "$OUT/gobench.txt" | grep -E '^(Benchmark|ok|FAIL|---)' || true
fi

if [ "${SKIP_PY:-}" != 1 ]; then
	missing=()
	$PY -c 'import openpyxl' 2>/dev/null || missing+=(python3-openpyxl)
	$PY -c 'import pandas' 2>/dev/null || missing+=(python3-pandas)
	if [ ${#missing[@]} -gt 0 ]; then
		echo "== installing ${missing[*]} with apt-get (needed for the comparison)"
		apt-get update -qq
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
	fi
fi

rows=() phases=()
for size in $SIZES; do
	xlsx=("$DATA/$size/TyoMatka_seuranta.xlsx" "$DATA/$size"/kertymat-xlsx/*.xlsx)
	opx="" pds=""
	if python "$size"; then
		echo "== $size: openpyxl read-only, ${#xlsx[@]} files (load $(load))"
		opx=$(best "$PYRUNS" "$OUT/openpyxl-$size.log" $PY bench/read_openpyxl.py "${xlsx[@]}")
		tail -1 "$OUT/openpyxl-$size.log"
		echo "== $size: pandas read_excel (load $(load))"
		pds=$(best "$PYRUNS" "$OUT/pandas-$size.log" $PY bench/read_pandas.py "${xlsx[@]}")
		tail -1 "$OUT/pandas-$size.log"
	fi
	for fmt in xlsx csv; do
		echo "== $size $fmt: tyomatka run, best of $RUNS (load $(load))"
		r=$(best "$RUNS" "$OUT/run-$size-$fmt.log" $BIN run --config "$(config "$size" "$fmt")" \
			--period 2026-10 --as-of 2026-11-20 --dry-run --out "$OUT/run-$size-$fmt" --log json)
		log=$OUT/run-$size-$fmt.log.best
		accrows=$(grep -h '"file read"' "$log" | sed -n 's/.*"rows":\([0-9]*\).*/\1/p' | paste -sd+ | bc)
		rows+=("$size $fmt $accrows $r ${opx:-- -} ${pds:-- -}")
		phases+=("$size $fmt $(for m in 'read accrual lists' 'read tracking workbook' 'computed billing' \
			'compared with the ledger' 'built outputs' 'wrote outputs' 'run completed'; do
			printf '%s ' "$(phase "$log" "$m")"
		done)")
	done
done

{
	echo "# Benchmark results"
	echo
	echo "Written by \`make bench\` on $(date -u +%Y-%m-%d) ($(nproc) cores, $(go version | cut -d' ' -f3), load at the end $(load))."
	echo "Bot: \`tyomatka run --dry-run\` end to end (tracking workbook, 12 accrual lists, billing, three workbooks), best of $RUNS."
	echo "openpyxl and pandas: only reading every cell of the same .xlsx files (tracking workbook and the 12 lists), best of $PYRUNS;"
	echo "for the csv rows the bot reads the lists as .csv, and the comparison is still against reading the .xlsx files."
	echo
	echo "| data | lists | accrual rows | bot wall s | bot peak RSS MiB | openpyxl read s | pandas read s | openpyxl / bot | pandas / bot |"
	echo "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
	for r in "${rows[@]}"; do
		read -r size fmt n s k os _ ps _ <<<"$r"
		awk -v size="$size" -v fmt="$fmt" -v n="$n" -v s="$s" -v k="$k" -v os="$os" -v ps="$ps" 'BEGIN{
			ro = (os == "-") ? "-" : sprintf("%.1f×", os / s)
			rp = (ps == "-") ? "-" : sprintf("%.1f×", ps / s)
			printf "| %s | %s | %s | %.2f | %.0f | %s | %s | %s | %s |\n", size, fmt, n, s, k / 1024, os, ps, ro, rp
		}'
	done
	echo
	echo "Data (\`tyomatka generate -seed 7\`): 10k = 10,000 clients and 3,500 other persons on the lists; 100k = 100,000 clients and 35,000 others"
	echo "(the sizes the performance issue names: ~100,000 rows a list); 100k-full = 100,000 clients and as many others (~160,000 rows a list), the bot only."
	echo
	echo "Targets (2 cores): national xlsx run ≥ 5× faster than openpyxl read-only and < 1024 MiB peak RSS; national csv < 3 s; 10k xlsx < 1 s."
	echo
	echo "## Where the time goes"
	echo
	echo "Seconds of each phase of the fastest run above, from the run's own log lines. The tracking workbook is read while the lists are;"
	echo "the other phases follow one another. \"run\" is the whole run inside the process (start-up and exit are not in it)."
	echo
	echo "| data | lists | read lists | read tracking | billing | ledger | build outputs | write outputs | run |"
	echo "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
	for r in "${phases[@]}"; do
		# shellcheck disable=SC2086 # seconds are words
		printf '| %s | %s | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f |\n' $r
	done
	if [ -f "$OUT/gobench.txt" ]; then
		echo
		echo "## Go benchmarks"
		echo
		echo '```'
		grep -E '^Benchmark' "$OUT/gobench.txt"
		echo '```'
	fi
} >bench/RESULTS.md.new
mv bench/RESULTS.md.new bench/RESULTS.md
echo
sed -n '/^| data/,/^$/p' bench/RESULTS.md
