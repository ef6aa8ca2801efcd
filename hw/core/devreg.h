/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the machine knows of a device: its operations. The machine keeps an
 * ordered list of its devices; reset, S3 wake-up, save, check, load and destroy are loops
 * over that list, so a new device is one machine_add() line where it is
 * created, plus its own `const struct dev_ops`.
 */
#ifndef HVMDM_DEVREG_H
#define HVMDM_DEVREG_H

#include <stddef.h>

struct dev_ops {
	const char *name;
	/* The record kind that carries its saved state (a refused load names it). */
	const char *record;
	/* Power-on state; PCI functions' generic part is reset by the bus first. */
	void (*reset)(void *dev);
	/*
	 * The reset of an S3 wake-up (NULL: the same as reset): what a device
	 * keeps across suspend to RAM that a power-on clears.
	 */
	void (*wake_reset)(void *dev);
	/* Free what the device holds (NULL: nothing). */
	void (*destroy)(void *dev);
	/* Copy into its plain state struct; validate one without touching the device; commit. */
	void (*save)(const void *dev, void *state);
	int (*check)(const void *dev, const void *state, char *err, size_t errlen);
	void (*load)(void *dev, const void *state);
};

/*
 * Typed adapters from a device's own functions to the void * hooks above,
 * each defining one static function (ops_reset, ops_wake_reset, ops_destroy, ops_save,
 * ops_check, ops_load) for the device file's dev_ops.
 */
#define DEV_OPS_RESET(fn, dev_t) \
	static void ops_reset(void *d) { fn((dev_t *)d); }
#define DEV_OPS_WAKE_RESET(fn, dev_t) \
	static void ops_wake_reset(void *d) { fn((dev_t *)d); }
#define DEV_OPS_DESTROY(fn, dev_t) \
	static void ops_destroy(void *d) { fn((dev_t *)d); }
#define DEV_OPS_SAVE(fn, dev_t, state_t) \
	static void ops_save(const void *d, void *st) { fn((const dev_t *)d, (state_t *)st); }
#define DEV_OPS_CHECK(fn, dev_t, state_t)                                                 \
	static int ops_check(const void *d, const void *st, char *err, size_t errlen)     \
	{                                                                                 \
		return fn((const dev_t *)d, (const state_t *)st, err, errlen);           \
	}
#define DEV_OPS_LOAD(fn, dev_t, state_t) \
	static void ops_load(void *d, const void *st) { fn((dev_t *)d, (const state_t *)st); }

struct dm_device {
	const struct dev_ops *ops;
	void *dev;
	size_t state_off;  /* where its state lives in struct machine_state */
	unsigned int slot; /* which instance of its record kind */
};

#endif
