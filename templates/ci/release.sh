#!/bin/sh
# Release pipeline step: prepares the cartridge of $PROJECT with play-prep
# (build -> pack -> manifest), keeps the machine-readable log, and fails
# unless the preparation succeeded. Then lists the cartridge files.
#
# Settings, from the environment:
#   PROJECT          the project directory (default: .)
#   PROMETEU_XTASK   how to run the tool (default: cargo xtask; split on spaces)
#   RESULT_LOG       where the JSON lines go (default: play-prep.jsonl)
#
# Exit statuses:
#   0  success: every step succeeded and build/manifest.json was written
#   1  a step failed or the pack was blocked (the JSON result says which),
#      or the output does not end with a successful result
#   2  invocation or configuration error (unknown flag, no project found,
#      invalid cartridge.toml)
#
# play-prep prints one JSON object per line on stdout ({"type":"log",...}
# entries, then one {"type":"result","status":"success"|"failed",...});
# human-readable text goes to stderr, so it stays in the job's log.
#
# POSIX sh, no bashisms and no GNU-only flags: it runs under dash, bash, the
# sh of Git for Windows and macOS alike.

set -eu

PROJECT=${PROJECT:-.}
PROMETEU_XTASK=${PROMETEU_XTASK:-cargo xtask}
RESULT_LOG=${RESULT_LOG:-play-prep.jsonl}

# The cartridge files, in the order the preparation writes them.
ARTIFACTS="program.pbx assets.pa asset_table.json preload.json asset_table_metadata.json manifest.json"

# True when the JSON object in $1 is a successful final result.
is_success_result() {
    if command -v jq >/dev/null 2>&1; then
        printf '%s\n' "$1" | jq -e '.type == "result" and .status == "success"' >/dev/null 2>&1
    else
        printf '%s\n' "$1" | grep -Eq '"type"[[:space:]]*:[[:space:]]*"result"' &&
            printf '%s\n' "$1" | grep -Eq '"status"[[:space:]]*:[[:space:]]*"success"'
    fi
}

# The SHA-256 of file $1 in hex, or nothing where no tool computes it
# (`sha256sum` on Linux and Git for Windows, `shasum` on macOS).
sha256_of() {
    if command -v sha256sum >/dev/null 2>&1; then
        sha256sum "$1" | cut -d ' ' -f 1
    elif command -v shasum >/dev/null 2>&1; then
        shasum -a 256 "$1" | cut -d ' ' -f 1
    fi
}

list_artifacts() {
    build="$PROJECT/build"
    echo "cartridge files in $build:"
    for name in $ARTIFACTS; do
        if [ -f "$build/$name" ]; then
            size=$(wc -c <"$build/$name" | tr -d ' ')
            digest=$(sha256_of "$build/$name")
            if [ -n "$digest" ]; then
                printf '  %-28s %10s bytes  sha256 %s\n' "$name" "$size" "$digest"
            else
                printf '  %-28s %10s bytes\n' "$name" "$size"
            fi
        else
            printf '  %-28s (absent)\n' "$name"
        fi
    done
}

status=0
# $PROMETEU_XTASK is deliberately unquoted: it may be a command plus arguments.
$PROMETEU_XTASK play-prep --project "$PROJECT" --message-format json >"$RESULT_LOG" || status=$?

if [ "$status" -ne 0 ]; then
    echo "release: play-prep failed with exit status $status; JSON log kept in $RESULT_LOG" >&2
    # 1 and 2 keep their meaning; anything else (a crash, a missing tool) is
    # not a configuration problem, so it reports as a failed step.
    if [ "$status" -eq 2 ]; then
        exit 2
    fi
    exit 1
fi

last_line=$(tail -n 1 "$RESULT_LOG")
if ! is_success_result "$last_line"; then
    echo "release: play-prep exited 0 but its last line is not a successful result; see $RESULT_LOG" >&2
    exit 1
fi

if [ ! -f "$PROJECT/build/manifest.json" ]; then
    echo "release: play-prep reported success but $PROJECT/build/manifest.json is missing" >&2
    exit 1
fi

echo "release: play-prep succeeded; JSON log kept in $RESULT_LOG"
list_artifacts
