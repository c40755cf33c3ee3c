#!/usr/bin/env bash
# Runs Dovecot's IMAP tester, imaptest, against `smtplab serve --imap` and
# prints its per-group table beside the real Dovecot 2.3.19's record.
#
# Builds imaptest into target/imaptest with ../shared/imaptest/build.sh
# (it installs Debian's dovecot-dev and build tools when missing). The
# tester's source: IMAPTEST_GIT (a clone or a bare snapshot of
# dovecot/imaptest), else what build.sh clones from GitHub.
# The server runs the corpus world with the seed mailboxes of
# tests/corpus/dovecot-2.3/seed; before each of run.sh's phases it is
# started again on a fresh copy (its store lives in memory).
# Usage: scripts/imaptest.sh [OUTDIR]   (make imaptest)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
SHARED=${SMTPLAB_SHARED:-$ROOT/../shared}
export IMAPTEST_BUILD=$ROOT/target/imaptest
OUT=${1:-$ROOT/target/imaptest/results}
WORK=$ROOT/target/imaptest/server
PORT=${IMAPTEST_PORT:-21430}

if [ -n "${IMAPTEST_GIT:-}" ]; then
  "$SHARED/imaptest/build.sh" "$IMAPTEST_GIT"
else
  "$SHARED/imaptest/build.sh"
fi
cargo build --release -p smtplab

# The command run.sh calls before each phase: a fresh spool, a fresh server.
cat > "$WORK.reset" <<EOF
#!/usr/bin/env bash
set -e
if [ -f "$WORK/pid" ]; then kill "\$(cat "$WORK/pid")" 2>/dev/null || true; sleep 0.3; fi
rm -rf "$WORK/spool" && mkdir -p "$WORK/spool"
cp "$ROOT/tests/corpus/dovecot-2.3/seed/"* "$WORK/spool/"
"$ROOT/target/release/smtplab" serve --listen 127.0.0.1:0 --imap 127.0.0.1:$PORT \\
  --world "$ROOT/worlds/corpus.json" --spool "$WORK/spool" --no-delays --max-sessions 64 \\
  > "$WORK/server.log" 2>&1 &
echo \$! > "$WORK/pid"
for _ in \$(seq 50); do
  (exec 3<>/dev/tcp/127.0.0.1/$PORT) 2>/dev/null && exit 0
  sleep 0.1
done
echo "imaptest.sh: the server did not start" >&2
exit 1
EOF
mkdir -p "$WORK"
chmod +x "$WORK.reset"
"$WORK.reset"
trap 'kill "$(cat "$WORK/pid")" 2>/dev/null || true' EXIT

status=0
RESET_CMD="$WORK.reset" "$SHARED/imaptest/run.sh" 127.0.0.1 "$PORT" mom mom-password "$OUT" || status=$?

# The table: each group's result here and the real Dovecot's.
echo
echo "group                              SMTP Lab                 Dovecot 2.3.19.1"
join -t $'\t' <(tail -n +2 "$OUT/per-test.tsv" | sort) \
  <(tail -n +2 "$SHARED/imaptest/results/dovecot-2.3.19/per-test.tsv" | sort) |
  awk -F'\t' '{
    printf "%-34s %-5s base %3d/%-3d ext %3d/%-3d   %-5s base %3d/%-3d ext %3d/%-3d\n",
      $1, $2, $3, $4, $5, $6, $9, $10, $11, $12, $13
  }'
exit "$status"
