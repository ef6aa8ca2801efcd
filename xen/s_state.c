// SPDX-License-Identifier: GPL-2.0-only
/* See s_state.h. */
#include "s_state.h"

#include <errno.h>

#include <xenctrl.h>
#include <xen/hvm/params.h>

struct xen_s_state *xen_s_state_open(void)
{
	/* No logger: failures come back as errno and hvmdm logs them itself. */
	return (struct xen_s_state *)xc_interface_open(NULL, NULL, 0);
}

void xen_s_state_close(struct xen_s_state *h)
{
	if (h)
		xc_interface_close((xc_interface *)h);
}

int xen_s_state_set(struct xen_s_state *h, uint32_t domid, unsigned int state)
{
	if (!h)
		return -ENODEV;
	return xc_hvm_param_set((xc_interface *)h, domid, HVM_PARAM_ACPI_S_STATE, state) ? -errno : 0;
}
