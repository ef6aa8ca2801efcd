// SPDX-License-Identifier: GPL-2.0-only
/*
 * MC146818. Register semantics per the Motorola datasheet as QEMU's
 * hw/rtc/mc146818rtc.c presents them; NVRAM layout of the PC BIOS (the bytes
 * SeaBIOS's qemu_preinit reads: 0x30/0x31, 0x34/0x35, 0x5b-0x5d, 0x5f).
 */
#include "mc146818.h"

#include <string.h>
#include <time.h>

#include "hw/core/log.h"

static uint8_t to_bcd(const struct mc146818 *rtc, int v)
{
	if (rtc->cmos[RTC_REG_B] & RTC_B_DM)
		return (uint8_t)v;
	return (uint8_t)(((v / 10) << 4) | (v % 10));
}

static int from_bcd(const struct mc146818 *rtc, uint8_t v)
{
	if (rtc->cmos[RTC_REG_B] & RTC_B_DM)
		return v;
	return ((v >> 4) & 0x0f) * 10 + (v & 0x0f);
}

static struct tm guest_tm(const struct mc146818 *rtc)
{
	time_t t = rtc->now() + rtc->offset_s;
	struct tm tm;

	gmtime_r(&t, &tm);
	return tm;
}

static uint8_t time_reg(const struct mc146818 *rtc, unsigned int reg)
{
	struct tm tm = guest_tm(rtc);

	switch (reg) {
	case 0x00:
		return to_bcd(rtc, tm.tm_sec);
	case 0x02:
		return to_bcd(rtc, tm.tm_min);
	case 0x04:
		if (rtc->cmos[RTC_REG_B] & RTC_B_24H)
			return to_bcd(rtc, tm.tm_hour);
		return (uint8_t)(to_bcd(rtc, tm.tm_hour % 12 ? tm.tm_hour % 12 : 12) |
				 (tm.tm_hour >= 12 ? 0x80 : 0));
	case 0x06:
		return to_bcd(rtc, tm.tm_wday + 1);
	case 0x07:
		return to_bcd(rtc, tm.tm_mday);
	case 0x08:
		return to_bcd(rtc, tm.tm_mon + 1);
	case 0x09:
		return to_bcd(rtc, tm.tm_year % 100);
	case 0x32: /* century, as the PC BIOS keeps it */
		return to_bcd(rtc, 19 + tm.tm_year / 100);
	}
	return rtc->cmos[reg];
}

/* A guest setting the time moves the offset, not the host clock. */
static void set_time_reg(struct mc146818 *rtc, unsigned int reg, uint8_t val)
{
	struct tm tm = guest_tm(rtc);
	time_t host = rtc->now(), guest;

	switch (reg) {
	case 0x00:
		tm.tm_sec = from_bcd(rtc, val);
		break;
	case 0x02:
		tm.tm_min = from_bcd(rtc, val);
		break;
	case 0x04:
		if (rtc->cmos[RTC_REG_B] & RTC_B_24H)
			tm.tm_hour = from_bcd(rtc, val);
		else
			tm.tm_hour = from_bcd(rtc, val & 0x7f) % 12 + ((val & 0x80) ? 12 : 0);
		break;
	case 0x07:
		tm.tm_mday = from_bcd(rtc, val);
		break;
	case 0x08:
		tm.tm_mon = from_bcd(rtc, val) - 1;
		break;
	case 0x09:
		tm.tm_year = (tm.tm_year / 100) * 100 + from_bcd(rtc, val);
		break;
	default:
		return;
	}
	guest = timegm(&tm);
	if (guest != (time_t)-1)
		rtc->offset_s = (int64_t)guest - (int64_t)host;
}

static bool is_time_reg(unsigned int reg)
{
	return reg == 0x00 || reg == 0x02 || reg == 0x04 || reg == 0x06 || reg == 0x07 ||
	       reg == 0x08 || reg == 0x09 || reg == 0x32;
}

/* IRQF, and the line, follow the enabled flags. */
static void update_irq(struct mc146818 *rtc)
{
	uint8_t c = rtc->cmos[RTC_REG_C] & (RTC_C_PF | RTC_C_AF | RTC_C_UF);
	uint8_t b = rtc->cmos[RTC_REG_B];
	bool level = ((c & RTC_C_PF) && (b & RTC_B_PIE)) || ((c & RTC_C_AF) && (b & RTC_B_AIE)) ||
		     ((c & RTC_C_UF) && (b & RTC_B_UIE));

	rtc->cmos[RTC_REG_C] = (uint8_t)(c | (level ? RTC_C_IRQF : 0));
	if (rtc->nvram_only)
		return; /* IRQ 8 is Xen's RTC's */
	if (level != rtc->irq_level) {
		rtc->irq_level = level;
		accel_set_isa_irq_level(rtc->accel, RTC_IRQ, level);
	}
}

uint64_t mc146818_period_ns(uint8_t reg_a)
{
	unsigned int rate = reg_a & 0x0f;

	if (rate == 0)
		return 0;
	if (rate <= 2)
		rate += 7; /* rates 1 and 2 behave as 8 and 9 (datasheet table) */
	/* 32768 Hz divided by 2^(rate-1). */
	return (NSEC_PER_SEC << (rate - 1)) / 32768;
}

static void arm_periodic(struct mc146818 *rtc)
{
	uint64_t period = mc146818_period_ns(rtc->cmos[RTC_REG_A]);

	if (!rtc->clock)
		return;
	if ((rtc->cmos[RTC_REG_B] & RTC_B_PIE) && period)
		timer_arm(&rtc->periodic, (clock_now(rtc->clock) / period + 1) * period);
	else
		timer_cancel(&rtc->periodic);
}

static void periodic_tick(void *opaque)
{
	struct mc146818 *rtc = opaque;

	rtc->cmos[RTC_REG_C] |= RTC_C_PF;
	update_irq(rtc);
	arm_periodic(rtc);
}

static bool alarm_match(uint8_t alarm, uint8_t now)
{
	return (alarm & 0xc0) == 0xc0 || alarm == now;
}

static uint8_t time_reg(const struct mc146818 *rtc, unsigned int reg);

static void second_tick(void *opaque)
{
	struct mc146818 *rtc = opaque;

	if (!(rtc->cmos[RTC_REG_B] & RTC_B_SET)) {
		rtc->cmos[RTC_REG_C] |= RTC_C_UF;
		if (alarm_match(rtc->cmos[0x01], time_reg(rtc, 0x00)) &&
		    alarm_match(rtc->cmos[0x03], time_reg(rtc, 0x02)) &&
		    alarm_match(rtc->cmos[0x05], time_reg(rtc, 0x04)))
			rtc->cmos[RTC_REG_C] |= RTC_C_AF;
		update_irq(rtc);
	}
	timer_arm(&rtc->second, (clock_now(rtc->clock) / NSEC_PER_SEC + 1) * NSEC_PER_SEC);
}

static uint64_t rtc_read(void *opaque, uint64_t off, unsigned int size)
{
	struct mc146818 *rtc = opaque;
	unsigned int reg = rtc->index & 0x7f;
	uint8_t v;

	(void)size;
	if (off == 0)
		return 0xff; /* the index register is write-only */
	if (is_time_reg(reg))
		return time_reg(rtc, reg);
	v = rtc->cmos[reg];
	if (reg == RTC_REG_C) {
		rtc->cmos[RTC_REG_C] = 0; /* reading clears the flags and the line */
		update_irq(rtc);
	}
	return v;
}

static void rtc_write(void *opaque, uint64_t off, unsigned int size, uint64_t val)
{
	struct mc146818 *rtc = opaque;
	unsigned int reg;

	(void)size;
	if (off == 0) {
		rtc->index = (uint8_t)val; /* bit 7 is the NMI mask; kept with the index */
		return;
	}
	reg = rtc->index & 0x7f;
	if (is_time_reg(reg)) {
		set_time_reg(rtc, reg, (uint8_t)val);
		return;
	}
	switch (reg) {
	case RTC_REG_A:
		rtc->cmos[reg] = (uint8_t)(val & 0x7f); /* UIP is read-only */
		arm_periodic(rtc);
		break;
	case RTC_REG_B:
		rtc->cmos[reg] = (uint8_t)val;
		arm_periodic(rtc);
		update_irq(rtc);
		break;
	case RTC_REG_C:
	case RTC_REG_D:
		break; /* read-only */
	default:
		rtc->cmos[reg] = (uint8_t)val;
		break;
	}
}

static const struct io_ops rtc_ops = {
	.read = rtc_read, .write = rtc_write, .impl_min = 1, .impl_max = 1,
};

static time_t host_now(void)
{
	return time(NULL);
}

/*
 * The RESET pin (a system reset): only the interrupt enables, SQWE and the
 * flags clear; time, alarm, register A, DM/24h and NVRAM are battery-backed
 * and stay (MC146818A datasheet, "RESET"; QEMU hw/rtc/mc146818rtc.c rtc_reset).
 */
void mc146818_reset(struct mc146818 *rtc)
{
	rtc->cmos[RTC_REG_B] &= (uint8_t)~(RTC_B_PIE | RTC_B_AIE | RTC_B_UIE | RTC_B_SQWE);
	rtc->cmos[RTC_REG_C] = 0;
	update_irq(rtc);
	arm_periodic(rtc);
}

void mc146818_set_memory(struct mc146818 *rtc, uint64_t below_4g, uint64_t above_4g,
			 unsigned int vcpus)
{
	uint64_t ext_kb = below_4g > (1 << 20) ? (below_4g - (1 << 20)) >> 10 : 0;
	uint64_t over16 = below_4g > (16 << 20) ? (below_4g - (16 << 20)) >> 16 : 0;
	uint64_t high = above_4g >> 16;

	if (ext_kb > 0xfc00)
		ext_kb = 0xfc00;
	if (over16 > 0xffff)
		over16 = 0xffff;
	rtc->cmos[0x15] = 0x80; /* 640 KiB base memory */
	rtc->cmos[0x16] = 0x02;
	rtc->cmos[0x17] = rtc->cmos[0x30] = (uint8_t)ext_kb;
	rtc->cmos[0x18] = rtc->cmos[0x31] = (uint8_t)(ext_kb >> 8);
	rtc->cmos[0x34] = (uint8_t)over16;
	rtc->cmos[0x35] = (uint8_t)(over16 >> 8);
	rtc->cmos[0x5b] = (uint8_t)high;
	rtc->cmos[0x5c] = (uint8_t)(high >> 8);
	rtc->cmos[0x5d] = (uint8_t)(high >> 16);
	rtc->cmos[0x5f] = (uint8_t)(vcpus - 1);
}

void mc146818_set_nvram(struct mc146818 *rtc, uint8_t index, uint8_t val)
{
	if (index >= RTC_NVRAM_FIRST && index < CMOS_SIZE)
		rtc->cmos[index] = val;
}

int mc146818_init(struct mc146818 *rtc, struct io_space *io, struct accel *accel,
		  struct dm_clock *clock)
{
	memset(rtc, 0, sizeof(*rtc));
	rtc->now = host_now;
	rtc->accel = accel;
	rtc->clock = clock;
	timer_init(&rtc->periodic, clock, periodic_tick, rtc);
	timer_init(&rtc->second, clock, second_tick, rtc);
	/* Power-on: what a fresh battery-backed chip shows after firmware set-up. */
	rtc->cmos[RTC_REG_A] = 0x26; /* 32.768 kHz time base, 1024 Hz rate */
	rtc->cmos[RTC_REG_B] = RTC_B_24H;
	rtc->cmos[RTC_REG_D] = 0x80; /* valid RAM and time */
	mc146818_reset(rtc);
	timer_arm(&rtc->second, (clock_now(clock) / NSEC_PER_SEC + 1) * NSEC_PER_SEC);
	return io_space_claim(io, 0x70, 2, &rtc_ops, rtc, "mc146818");
}

int mc146818_init_nvram(struct mc146818 *rtc, struct io_space *io, struct accel *accel)
{
	memset(rtc, 0, sizeof(*rtc));
	rtc->now = host_now;
	rtc->accel = accel;
	rtc->nvram_only = true; /* no clock: no timers are ever armed */
	rtc->cmos[RTC_REG_A] = 0x26;
	rtc->cmos[RTC_REG_B] = RTC_B_24H;
	rtc->cmos[RTC_REG_D] = 0x80;
	return io_space_claim(io, 0x70, 2, &rtc_ops, rtc, "mc146818");
}

void mc146818_destroy(struct mc146818 *rtc)
{
	if (!rtc->clock)
		return;
	timer_cancel(&rtc->periodic);
	timer_cancel(&rtc->second);
}

void mc146818_save_state(const struct mc146818 *rtc, struct mc146818_state *st)
{
	memcpy(st->cmos, rtc->cmos, sizeof(st->cmos));
	st->index = rtc->index;
	st->offset_s = rtc->offset_s;
	st->periodic_expire = rtc->periodic.armed ? rtc->periodic.expire_ns : 0;
	st->second_expire = rtc->second.armed ? rtc->second.expire_ns : 0;
}

void mc146818_load_state(struct mc146818 *rtc, const struct mc146818_state *st)
{
	if (rtc->nvram_only) {
		/* The clock's registers and timers in a stream are Xen's business. */
		memcpy(rtc->cmos + RTC_NVRAM_FIRST, st->cmos + RTC_NVRAM_FIRST,
		       sizeof(rtc->cmos) - RTC_NVRAM_FIRST);
		rtc->index = st->index;
		rtc->offset_s = st->offset_s;
		return;
	}
	memcpy(rtc->cmos, st->cmos, sizeof(rtc->cmos));
	rtc->index = st->index;
	rtc->offset_s = st->offset_s;
	if (st->periodic_expire)
		timer_arm(&rtc->periodic, st->periodic_expire);
	else
		timer_cancel(&rtc->periodic);
	if (st->second_expire)
		timer_arm(&rtc->second, st->second_expire);
	else
		timer_cancel(&rtc->second);
	update_irq(rtc);
}

void mc146818_notify_suspend(struct mc146818 *rtc)
{
	rtc->cmos[0x0f] = 0xfe;
}

bool mc146818_alarm_fired(const struct mc146818 *rtc)
{
	return (rtc->cmos[RTC_REG_C] & RTC_C_AF) != 0;
}

/* ---------------------------------------------------------------- machine hooks */

DEV_OPS_RESET(mc146818_reset, struct mc146818)
DEV_OPS_DESTROY(mc146818_destroy, struct mc146818)
DEV_OPS_SAVE(mc146818_save_state, struct mc146818, struct mc146818_state)
DEV_OPS_LOAD(mc146818_load_state, struct mc146818, struct mc146818_state)

const struct dev_ops mc146818_ops = {
	.name = "mc146818", .record = "mc146818rtc", .reset = ops_reset, .destroy = ops_destroy,
	.save = ops_save, .load = ops_load,
};
