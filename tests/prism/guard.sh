#!/bin/sh
# Runs a command (Prism) for as long as this script's stdin stays open, then stops it.
#
#   sh tests/prism/guard.sh node_modules/.bin/prism mock -h 127.0.0.1 -p 0 SPEC
#
# The Rust contract tests (tests/tests/prism.rs) start Prism through this script with stdin
# connected to a pipe that only the test process holds. When the test process ends, however
# it ends (normal exit, panic, abort, SIGKILL), the kernel closes that pipe, `cat` sees EOF
# and the command is terminated, so no orphan node process outlives the test binary.
# Closing the pipe explicitly (what the tests' Drop does) stops it the same way.

"$@" </dev/null 2>&1 &
child=$!
cat >/dev/null
kill -TERM "$child" 2>/dev/null
# Give it a moment to exit cleanly, then make sure it is gone.
i=0
while kill -0 "$child" 2>/dev/null && [ "$i" -lt 50 ]; do
    sleep 0.1
    i=$((i + 1))
done
kill -KILL "$child" 2>/dev/null
wait "$child" 2>/dev/null
exit 0
