// SPDX-License-Identifier: GPL-2.0-only
/* See ctrl.h. */
#include "ctrl.h"

#include <errno.h>
#include <stdlib.h>

#include <xenctrl.h>
#include <xen/hvm/params.h>

struct xen_ctrl *xen_ctrl_open(void)
{
	/* No logger: failures come back as errno and hvmdm logs them itself. */
	return (struct xen_ctrl *)xc_interface_open(NULL, NULL, 0);
}

void xen_ctrl_close(struct xen_ctrl *h)
{
	if (h)
		xc_interface_close((xc_interface *)h);
}

int xen_ctrl_set_s_state(struct xen_ctrl *h, uint32_t domid, unsigned int state)
{
	if (!h)
		return -ENODEV;
	return xc_hvm_param_set((xc_interface *)h, domid, HVM_PARAM_ACPI_S_STATE, state) ? -errno : 0;
}

int xen_ctrl_populate(struct xen_ctrl *h, uint32_t domid, uint64_t first_gfn, size_t nr)
{
	xen_pfn_t *pfns;
	int rc;

	if (!h)
		return -ENODEV;
	pfns = calloc(nr, sizeof(*pfns));
	if (!pfns)
		return -ENOMEM;
	for (size_t i = 0; i < nr; i++)
		pfns[i] = first_gfn + i;
	/* _exact: all the frames or none (QEMU's xen_ram_alloc makes the same call). */
	rc = xc_domain_populate_physmap_exact((xc_interface *)h, domid, nr, 0, 0, pfns) ? -errno : 0;
	free(pfns);
	return rc;
}
