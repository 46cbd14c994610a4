#!/usr/bin/env bash
# The GPU tier (issue 17): run the swap, gan and detect benchmarks in full mode on a CUDA GPU, within
# 8 minutes in all, each under its own time limit. Each benchmark appends its result line (naming the card,
# its CUDA and torch) to benchmarks/results/NAME.jsonl; with $OUT set (the lent GPU machine's output folder)
# the new lines, each benchmark's log and the summary are also copied there, to be appended here afterwards.
#
#   bash benchmarks/gpu.sh          run them (fails at once, saying why, without a CUDA GPU)
#   bash benchmarks/gpu.sh --list   say what would run, and each time limit, without running anything
#
# It installs nothing and needs no network. Python: $PYTHON, else the repo's .venv, else python3 (the lent
# machine's own, which holds a CUDA torch). A benchmark whose module does not exist yet is skipped, saying so.
# Settings: GPU_BENCHMARKS (default "swap gan detect"), GPU_BUDGET_S (default 480 s for all of them),
# GPU_LIMITS (e.g. "swap=240 gan=160": one benchmark's own limit); BENCH_RESULTS_DIR redirects the result
# lines, as for every benchmark; COURSE_DATA_DIR, a course cache whose judges need not be trained again.
#
# On the lent GPU machine (its `run` tool copies this working tree; $OUT comes back): run
# `bash benchmarks/gpu.sh` with a timeout of 600 s, then append each returned NAME.jsonl to
# benchmarks/results/NAME.jsonl here and commit them. Its judges are trained there on first use, inside each
# benchmark's time; to skip that, copy a course cache that holds the full-mode judges into a folder that
# .git/info/exclude ignores, carry it, and set COURSE_DATA_DIR to it.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
read -r -a BENCHMARKS <<<"${GPU_BENCHMARKS:-swap gan detect}"
BUDGET_S="${GPU_BUDGET_S:-480}"
declare -A LIMIT_S=([swap]=200 [gan]=200 [detect]=80)  # the most each may take; 480 s together
DEFAULT_LIMIT_S=120
MIN_S=30  # a benchmark that would get less than this is skipped, not started

if ! [[ "$BUDGET_S" =~ ^[0-9]+$ ]]; then
    echo "gpu.sh: GPU_BUDGET_S must be a whole number of seconds, got '$BUDGET_S'" >&2
    exit 2
fi
for pair in ${GPU_LIMITS:-}; do
    if ! [[ "$pair" =~ ^([a-z_0-9]+)=([0-9]+)$ ]]; then
        echo "gpu.sh: GPU_LIMITS must be NAME=SECONDS pairs such as 'swap=240 gan=160', got '$pair'" >&2
        exit 2
    fi
    LIMIT_S[${BASH_REMATCH[1]}]=${BASH_REMATCH[2]}
done

limit_of() { echo "${LIMIT_S[$1]:-$DEFAULT_LIMIT_S}"; }
exists() { [[ -f "benchmarks/$1.py" ]]; }

if [[ "${1:-}" == "--list" ]]; then
    for name in "${BENCHMARKS[@]}"; do
        if exists "$name"; then
            echo "run  $name: python -m benchmarks $name --mode full, at most $(limit_of "$name") s"
        else
            echo "skip $name: benchmarks/$name.py does not exist yet"
        fi
    done
    echo "all of them within $BUDGET_S s"
    exit 0
elif [[ $# -gt 0 ]]; then
    echo "gpu.sh: unknown argument '$1'; use no argument to run, or --list" >&2
    exit 2
fi

# The Python to use: the first of $PYTHON, the repo's .venv and python3 that exists.
PY=""
for candidate in "${PYTHON:-}" "$ROOT/.venv/bin/python" python3; do
    if [[ -n "$candidate" ]] && command -v "$candidate" >/dev/null 2>&1; then
        PY="$candidate"
        break
    fi
done
if [[ -z "$PY" ]]; then
    echo "gpu.sh: no Python found (tried \$PYTHON, .venv/bin/python, python3); set PYTHON=/path/to/python" >&2
    exit 2
fi

# CUDA first: without it nothing here means anything.
if ! cuda="$("$PY" -c '
import sys
try:
    import torch
except ImportError:
    sys.exit("torch is not installed")
if not torch.cuda.is_available():
    sys.exit(f"torch {torch.__version__} (built for CUDA {torch.version.cuda}) sees no CUDA GPU")
print(f"{torch.cuda.get_device_name(0)}, CUDA {torch.version.cuda}, torch {torch.__version__}")
' 2>&1)"; then
    echo "gpu.sh: no CUDA GPU: $PY says: $cuda" >&2
    echo "gpu.sh: the GPU tier runs only on a machine with an NVIDIA GPU and a CUDA build of torch" \
         "(PYTHON=/path/to/python picks another Python); on a CPU run each benchmark itself:" \
         "python -m benchmarks NAME --mode full" >&2
    exit 1
fi

export PYTHONPATH="$ROOT${PYTHONPATH:+:$PYTHONPATH}" PYTHONUNBUFFERED=1 COURSE_DEVICE=cuda
# repeatable CUDA matrix products, as config.seed_everything asks
export CUBLAS_WORKSPACE_CONFIG="${CUBLAS_WORKSPACE_CONFIG:-:4096:8}"
unset COURSE_FAST NBGRADER_EXECUTION
# The course's cache (judges) lives in the user's cache folder, found with platformdirs; where that is
# missing (the lent GPU machine has no platformdirs), a temporary folder: its judges are trained afresh.
if [[ -z "${COURSE_DATA_DIR:-}" ]] && ! "$PY" -c 'import platformdirs' >/dev/null 2>&1; then
    export COURSE_DATA_DIR="${TMPDIR:-/tmp}/deepfake-lab-gpu-cache"
fi
needs='import benchmarks, course_lib.gan, course_lib.swap, sklearn, skimage, scipy, cv2, tqdm'
if ! missing="$("$PY" -c "$needs" 2>&1)"; then
    echo "gpu.sh: $PY lacks the course's dependencies: ${missing##*$'\n'}" >&2
    echo "gpu.sh: install them where there is a network (pip install -e .), or carry wheels to this machine" >&2
    exit 1
fi

LOGS="${OUT:-$(mktemp -d)}"
mkdir -p "$LOGS"
echo "gpu.sh: $cuda; python $PY; budget $BUDGET_S s; logs in $LOGS"
start=$SECONDS
failed=0
summary=()
for name in "${BENCHMARKS[@]}"; do
    if ! exists "$name"; then
        summary+=("$(printf '%-8s skipped: benchmarks/%s.py does not exist yet' "$name" "$name")")
        echo "gpu.sh: skipping $name: benchmarks/$name.py does not exist yet"
        continue
    fi
    left=$((BUDGET_S - (SECONDS - start)))
    limit=$(limit_of "$name")
    if ((limit > left)); then
        limit=$left
    fi
    if ((limit < MIN_S)); then
        summary+=("$(printf '%-8s skipped: only %d s of the %d s budget left' "$name" "$left" "$BUDGET_S")")
        echo "gpu.sh: skipping $name: only $left s of the budget left"
        continue
    fi
    results="${BENCH_RESULTS_DIR:-benchmarks/results}/$name.jsonl"  # where benchmarks/__init__.py appends
    before=$( [[ -f "$results" ]] && wc -l <"$results" || echo 0 )
    echo "gpu.sh: $name, full mode, at most $limit s"
    t0=$SECONDS
    set +e
    timeout --kill-after=10 "$limit" "$PY" -m benchmarks "$name" --mode full 2>&1 | tee "$LOGS/$name.log"
    rc=${PIPESTATUS[0]}
    set -e
    took=$((SECONDS - t0))
    new=""
    if [[ -f "$results" ]]; then
        new="$(tail -n +"$((before + 1))" "$results")"
    fi
    if [[ -n "$new" && -n "${OUT:-}" ]]; then
        printf '%s\n' "$new" >>"$OUT/$name.jsonl"
    fi
    if ((rc == 0)); then
        last="$(tail -n 1 "$LOGS/$name.log")"
        summary+=("$(printf '%-8s ok in %d s: %s' "$name" "$took" "$last")")
    elif ((rc == 124 || rc == 137)); then
        failed=1
        summary+=("$(printf '%-8s TIMED OUT after %d s (limit %d s); no result line' "$name" "$took" "$limit")")
    else
        failed=1
        summary+=("$(printf '%-8s FAILED (exit %d) after %d s; see %s' "$name" "$rc" "$took" "$LOGS/$name.log")")
    fi
done

{
    echo "gpu.sh summary: $cuda; $((SECONDS - start)) s of $BUDGET_S s"
    printf '  %s\n' "${summary[@]}"
    if [[ -n "${OUT:-}" ]]; then
        echo "  new result lines are in \$OUT/NAME.jsonl: append them to benchmarks/results/NAME.jsonl"
    fi
} | tee "$LOGS/summary.txt"
exit "$failed"
