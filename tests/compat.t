#!/usr/bin/env bash
# The cross-release matrix (make compat) as TAP, for prove: every release in
# RELEASES built from this repository's history and paired with HEAD under
# real Xen (the e2e sandbox) and on KVM (natively or nested); one TAP line
# per pair with its time (tools/compat/run.sh says what each pair does).
# HVMDM_E2E=0 leaves out the Xen pairs, as it does the e2e tier. It is a
# tier of its own, not in make check: it builds every release and boots the
# real-Xen sandbox once more, and CI's 90 minutes have no room for both;
# make check loads every release's golden corpus instead.
exec tools/compat/run.sh "${B:-build}"
