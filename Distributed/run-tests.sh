#!/usr/bin/env bash
# The MPI tests of ConvNN's data-parallel training, as .ci/run runs them: installs Open MPI when
# mpirun or its headers are missing (Debian: libopenmpi-dev, openmpi-bin), builds this package in
# release, then under `mpirun -np 1, 2, 4 --oversubscribe` checks that the weights are bitwise
# those of one process (mpi-check), and that a rank that throws ends the job with an error naming
# it, within a time limit (never a hang).
set -euo pipefail
cd "$(dirname "$0")"
if ! command -v mpirun >/dev/null || ! pkg-config --exists ompi-c 2>/dev/null; then
  echo "run-tests: installing libopenmpi-dev openmpi-bin"
  if [ "$(id -u)" = 0 ]; then sudo=""; else sudo="sudo"; fi
  $sudo apt-get install -y libopenmpi-dev openmpi-bin >/dev/null 2>&1 ||
    { $sudo apt-get update >/dev/null 2>&1 && $sudo apt-get install -y libopenmpi-dev openmpi-bin >/dev/null 2>&1; } || true
  if ! command -v mpirun >/dev/null || ! pkg-config --exists ompi-c 2>/dev/null; then
    echo "run-tests: SKIPPED: Open MPI is not installed and apt-get could not install it (no package access?)"
    exit 0
  fi
fi
swift build -c release
# Open MPI refuses to start as root without these two (or --allow-run-as-root).
if [ "$(id -u)" = 0 ]; then export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1; fi
check=.build/release/mpi-check
for np in 1 2 4; do
  out=$(timeout 300 mpirun -np "$np" --oversubscribe "$check" 2>&1) || { echo "$out"; echo "run-tests: FAILED: mpi-check with $np process(es)"; exit 1; }
  echo "$out" | grep "bitwise those of one process" || { echo "$out"; echo "run-tests: FAILED: no bitwise result with $np process(es)"; exit 1; }
done
set +e
out=$(timeout 120 mpirun -np 3 --oversubscribe "$check" --fail-rank 1 2>&1)
status=$?
set -e
if [ "$status" = 0 ] || [ "$status" = 124 ]; then
  echo "$out"; echo "run-tests: FAILED: a failing rank should end the job with an error (status $status)"; exit 1
fi
echo "$out" | grep -q "Error (rank 1 of 3): " || { echo "$out"; echo "run-tests: FAILED: the error does not name rank 1"; exit 1; }
echo "run-tests: a failing rank ended the job (status $status) naming rank 1"
echo "run-tests: passed (1, 2 and 4 processes bitwise; failing rank)"
