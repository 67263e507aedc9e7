# Shared helpers of the system benchmarks. Source it after setting $root (the repo) and $work (a scratch folder);
# it sources tests/system/lib.sh (free ports, Azurite, silos, gateway) and adds:
#   - a private copy of the silo and gateway Release builds, so a rebuild elsewhere cannot change them mid-run;
#   - gateway rate limiting raised out of the way, silo log lines with UTC millisecond timestamps;
#   - load (the load tool), start_report and log, machine_conditions, rss_of, cpu_mark and cpu_since.
# shellcheck source=../system/lib.sh
source "$root/tests/system/lib.sh"

loadtool="$root/tests/Drex.LoadTest/bin/Release/net10.0/Drex.LoadTest.dll"
load() { dotnet "$loadtool" "$@"; }

require_builds() {
  local p
  for p in "$root/src/Drex.Silo/bin/Release/net10.0/Drex.Silo.dll" "$root/src/Drex.Gateway/bin/Release/net10.0/Drex.Gateway.dll" \
    "$root/src/Drex.Trainer/bin/Release/net10.0/linux-x64/Drex.Trainer.dll" "$loadtool"; do
    [ -f "$p" ] || { echo "missing $p: build first (flock /tmp/drex-build.lock dotnet build Drex.sln -c Release)" >&2; exit 1; }
  done
  [ -x "$root/node_modules/.bin/azurite" ] || { echo "missing Azurite: npm ci" >&2; exit 1; }
  mkdir -p "$work/bin"
  cp -a "$root/src/Drex.Silo/bin/Release/net10.0" "$work/bin/Drex.Silo"
  cp -a "$root/src/Drex.Gateway/bin/Release/net10.0" "$work/bin/Drex.Gateway"
  echo "silo/gateway build: $(git -C "$root" rev-parse --short HEAD)$(git -C "$root" diff --quiet -- src || echo ' + uncommitted src changes'), binaries of $(date -u -r "$work/bin/Drex.Silo/Drex.Silo.dll" +%FT%TZ)"
}

# lib.sh's bin(), pointed at the private copy (the trainer stays where it was built).
bin() {
  case "$1" in
    Drex.Silo|Drex.Gateway) echo "$work/bin/$1/$2" ;;
    *) echo "$root/src/$1/bin/Release/net10.0/$2" ;;
  esac
}

export Drex__Gateway__RateLimit__PermitsPerSecond=1000000 Drex__Gateway__RateLimit__Burst=1000000
export Logging__Console__FormatterOptions__TimestampFormat="yyyy-MM-ddTHH:mm:ss.fffZ " Logging__Console__FormatterOptions__UseUtcTimestamp=true \
  Logging__Console__FormatterOptions__SingleLine=true Logging__Console__FormatterName=simple

# start_report name: $out (OUT, or results/<name>-<time>) and $summary, which log appends to, opened with the build
# under test and the machine's conditions.
start_report() {
  out=${OUT:-$root/tests/benchmarks/results/$1-$(date -u +%Y%m%d-%H%M%S)}
  mkdir -p "$out"; summary="$out/summary.txt"
  require_builds | tee -a "$summary"
  machine_conditions | tee -a "$summary"
}
log() { echo "$@" | tee -a "$summary"; }

machine_conditions() {
  echo "host $(hostname), $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), $(free -g | awk '/Mem:/{print $2" GiB RAM, "$7" GiB available"}')"
  echo "load average $(cut -d' ' -f1-3 /proc/loadavg); dotnet $(dotnet --version); $(date -u +%FT%TZ)"
  echo "busiest other processes:"; ps -eo pid,pcpu,rss,args --sort=-pcpu | head -6 | cut -c1-160
}

rss_of() { # pid [field] -> resident MiB (VmRSS; RssAnon: the private part, without mapped files the page cache shares)
  awk -v field="${2:-VmRSS}:" '$1 == field {printf "%.0f", $2/1024}' "/proc/$1/status" 2>/dev/null || echo "?"
}

cpu_seconds() { # pid -> user+system CPU seconds the process has used so far
  awk -v tck="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15) / tck }' "/proc/$1/stat" 2>/dev/null || echo 0
}

# cpu_mark name:pid...  then  cpu_since  -> "CPU s: name X, name Y over Z s wall (machine total T of N core-s)"
cpu_mark() {
  cpu_mark_args=("$@"); cpu_marks=(); local a
  for a in "$@"; do cpu_marks+=("$(cpu_seconds "${a#*:}")"); done
  cpu_mark_t=$(date +%s.%N); cpu_mark_total=$(awk '/^cpu /{print ($2+$3+$4+$6+$7+$8)}' /proc/stat)
}
cpu_since() {
  local i out="" now total
  now=$(date +%s.%N); total=$(awk '/^cpu /{print ($2+$3+$4+$6+$7+$8)}' /proc/stat)
  for i in "${!cpu_mark_args[@]}"; do
    out+="${cpu_mark_args[$i]%%:*} $(awk -v a="${cpu_marks[$i]}" -v b="$(cpu_seconds "${cpu_mark_args[$i]#*:}")" 'BEGIN{printf "%.1f", b-a}'), "
  done
  echo "CPU s: ${out}over $(awk -v a="$cpu_mark_t" -v b="$now" 'BEGIN{printf "%.1f", b-a}') s wall; all processes $(awk -v a="$cpu_mark_total" -v b="$total" -v t="$(getconf CLK_TCK)" 'BEGIN{printf "%.1f", (b-a)/t}') of $(nproc)x that"
}
