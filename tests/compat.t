#!/usr/bin/env bash
# The cross-release matrix (make compat) inside make check: every release in
# RELEASES built from this repository's history and paired with HEAD under
# real Xen (the e2e sandbox) and on KVM (natively or nested); one TAP line
# per pair with its time (tools/compat/run.sh says what each pair does).
# HVMDM_E2E=0 leaves out the Xen pairs, as it does the e2e tier.
exec tools/compat/run.sh "${B:-build}"
