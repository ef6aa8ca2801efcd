/*
 * SPDX-License-Identifier: GPL-2.0-only
 *
 * hvmdm's DSDT for the `pc` machine (KVM): exactly the devices hvmdm
 * emulates there. Compiled with iasl at build time; hw/firmware/acpi.c hands the AML
 * to SeaBIOS through fw_cfg's table loader, with the RAM-dependent values
 * (PHLO, DEVP) patched in at start-up.
 *
 * Register facts, and where they come from:
 *   - PIIX3 PIRQ route registers 0x60-0x63 of 00:01.0: bit 7 disables the
 *     link, bits 3:0 are the ISA IRQ (Intel 82371SB datasheet; hw/piix3.c).
 *   - Slot/pin to link: LNK[(slot + pin) & 3], the swizzle hvmdm's KVM
 *     accelerator wires (kvm/kvm.c) and Xen uses (hvmloader's DSDT).
 *   - PIIX4 PM block at 0x600 (SeaBIOS programs PMBA there whenever
 *     etc/table-loader exists: SeaBIOS src/fw/paravirt.c qemu_cfg_init),
 *     sleep types as hw/piix4_pm.c decodes them: S3 = 1, S5 = 0.
 *   - PCI hot-plug registers at 0xae00 (QEMU's layout, hw/piix4_pm.c):
 *     +0 slots inserted, +4 slots removed, +8 eject, GPE0 bit 1.
 */
DefinitionBlock ("dsdt.aml", "DSDT", 1, "HVMDM ", "HVMDM-PC", 1)
{
    /* Patched by hw/firmware/acpi.c (found by name; each must stay a DWord constant). */
    Name (PHLO, 0x12345678)  /* first address of the 32-bit PCI window (top of low RAM) */
    Name (DEVP, 0x12345678)  /* present: bit 0 COM1, bit 1 COM2 */

    Name (\_S3, Package (0x04) { One, One, Zero, Zero })
    Name (\_S5, Package (0x04) { Zero, Zero, Zero, Zero })

    Scope (\_SB)
    {
        Device (PCI0)
        {
            Name (_HID, EisaId ("PNP0A03"))
            Name (_UID, Zero)

            Name (CRES, ResourceTemplate ()
            {
                WordBusNumber (ResourceProducer, MinFixed, MaxFixed, PosDecode,
                    0x0000, 0x0000, 0x00FF, 0x0000, 0x0100)
                IO (Decode16, 0x0CF8, 0x0CF8, 0x01, 0x08)
                WordIO (ResourceProducer, MinFixed, MaxFixed, PosDecode, EntireRange,
                    0x0000, 0x0000, 0x0CF7, 0x0000, 0x0CF8)
                WordIO (ResourceProducer, MinFixed, MaxFixed, PosDecode, EntireRange,
                    0x0000, 0x0D00, 0xFFFF, 0x0000, 0xF300)
                DWordMemory (ResourceProducer, PosDecode, MinFixed, MaxFixed, Cacheable, ReadWrite,
                    0x00000000, 0x000A0000, 0x000BFFFF, 0x00000000, 0x00020000)
                DWordMemory (ResourceProducer, PosDecode, MinFixed, MaxFixed, NonCacheable, ReadWrite,
                    0x00000000, 0xE0000000, 0xFEBFFFFF, 0x00000000, 0x1EC00000, , , PW32)
            })
            Method (_CRS, 0, Serialized)
            {
                CreateDWordField (CRES, \_SB.PCI0.PW32._MIN, PMIN)
                CreateDWordField (CRES, \_SB.PCI0.PW32._LEN, PLEN)
                PMIN = PHLO
                PLEN = 0xFEC00000 - PHLO
                Return (CRES)
            }

            Name (_PRT, Package ()
            {
                Package () { 0x0001FFFF, 0, LNKB, Zero },
                Package () { 0x0001FFFF, 1, LNKC, Zero },
                Package () { 0x0001FFFF, 2, LNKD, Zero },
                Package () { 0x0001FFFF, 3, LNKA, Zero },
                Package () { 0x0002FFFF, 0, LNKC, Zero },
                Package () { 0x0002FFFF, 1, LNKD, Zero },
                Package () { 0x0002FFFF, 2, LNKA, Zero },
                Package () { 0x0002FFFF, 3, LNKB, Zero },
                Package () { 0x0003FFFF, 0, LNKD, Zero },
                Package () { 0x0003FFFF, 1, LNKA, Zero },
                Package () { 0x0003FFFF, 2, LNKB, Zero },
                Package () { 0x0003FFFF, 3, LNKC, Zero },
                Package () { 0x0004FFFF, 0, LNKA, Zero },
                Package () { 0x0004FFFF, 1, LNKB, Zero },
                Package () { 0x0004FFFF, 2, LNKC, Zero },
                Package () { 0x0004FFFF, 3, LNKD, Zero },
                Package () { 0x0005FFFF, 0, LNKB, Zero },
                Package () { 0x0005FFFF, 1, LNKC, Zero },
                Package () { 0x0005FFFF, 2, LNKD, Zero },
                Package () { 0x0005FFFF, 3, LNKA, Zero },
                Package () { 0x0006FFFF, 0, LNKC, Zero },
                Package () { 0x0006FFFF, 1, LNKD, Zero },
                Package () { 0x0006FFFF, 2, LNKA, Zero },
                Package () { 0x0006FFFF, 3, LNKB, Zero },
                Package () { 0x0007FFFF, 0, LNKD, Zero },
                Package () { 0x0007FFFF, 1, LNKA, Zero },
                Package () { 0x0007FFFF, 2, LNKB, Zero },
                Package () { 0x0007FFFF, 3, LNKC, Zero },
                Package () { 0x0008FFFF, 0, LNKA, Zero },
                Package () { 0x0008FFFF, 1, LNKB, Zero },
                Package () { 0x0008FFFF, 2, LNKC, Zero },
                Package () { 0x0008FFFF, 3, LNKD, Zero },
                Package () { 0x0009FFFF, 0, LNKB, Zero },
                Package () { 0x0009FFFF, 1, LNKC, Zero },
                Package () { 0x0009FFFF, 2, LNKD, Zero },
                Package () { 0x0009FFFF, 3, LNKA, Zero },
                Package () { 0x000AFFFF, 0, LNKC, Zero },
                Package () { 0x000AFFFF, 1, LNKD, Zero },
                Package () { 0x000AFFFF, 2, LNKA, Zero },
                Package () { 0x000AFFFF, 3, LNKB, Zero },
                Package () { 0x000BFFFF, 0, LNKD, Zero },
                Package () { 0x000BFFFF, 1, LNKA, Zero },
                Package () { 0x000BFFFF, 2, LNKB, Zero },
                Package () { 0x000BFFFF, 3, LNKC, Zero },
                Package () { 0x000CFFFF, 0, LNKA, Zero },
                Package () { 0x000CFFFF, 1, LNKB, Zero },
                Package () { 0x000CFFFF, 2, LNKC, Zero },
                Package () { 0x000CFFFF, 3, LNKD, Zero },
                Package () { 0x000DFFFF, 0, LNKB, Zero },
                Package () { 0x000DFFFF, 1, LNKC, Zero },
                Package () { 0x000DFFFF, 2, LNKD, Zero },
                Package () { 0x000DFFFF, 3, LNKA, Zero },
                Package () { 0x000EFFFF, 0, LNKC, Zero },
                Package () { 0x000EFFFF, 1, LNKD, Zero },
                Package () { 0x000EFFFF, 2, LNKA, Zero },
                Package () { 0x000EFFFF, 3, LNKB, Zero },
                Package () { 0x000FFFFF, 0, LNKD, Zero },
                Package () { 0x000FFFFF, 1, LNKA, Zero },
                Package () { 0x000FFFFF, 2, LNKB, Zero },
                Package () { 0x000FFFFF, 3, LNKC, Zero },
                Package () { 0x0010FFFF, 0, LNKA, Zero },
                Package () { 0x0010FFFF, 1, LNKB, Zero },
                Package () { 0x0010FFFF, 2, LNKC, Zero },
                Package () { 0x0010FFFF, 3, LNKD, Zero },
                Package () { 0x0011FFFF, 0, LNKB, Zero },
                Package () { 0x0011FFFF, 1, LNKC, Zero },
                Package () { 0x0011FFFF, 2, LNKD, Zero },
                Package () { 0x0011FFFF, 3, LNKA, Zero },
                Package () { 0x0012FFFF, 0, LNKC, Zero },
                Package () { 0x0012FFFF, 1, LNKD, Zero },
                Package () { 0x0012FFFF, 2, LNKA, Zero },
                Package () { 0x0012FFFF, 3, LNKB, Zero },
                Package () { 0x0013FFFF, 0, LNKD, Zero },
                Package () { 0x0013FFFF, 1, LNKA, Zero },
                Package () { 0x0013FFFF, 2, LNKB, Zero },
                Package () { 0x0013FFFF, 3, LNKC, Zero },
                Package () { 0x0014FFFF, 0, LNKA, Zero },
                Package () { 0x0014FFFF, 1, LNKB, Zero },
                Package () { 0x0014FFFF, 2, LNKC, Zero },
                Package () { 0x0014FFFF, 3, LNKD, Zero },
                Package () { 0x0015FFFF, 0, LNKB, Zero },
                Package () { 0x0015FFFF, 1, LNKC, Zero },
                Package () { 0x0015FFFF, 2, LNKD, Zero },
                Package () { 0x0015FFFF, 3, LNKA, Zero },
                Package () { 0x0016FFFF, 0, LNKC, Zero },
                Package () { 0x0016FFFF, 1, LNKD, Zero },
                Package () { 0x0016FFFF, 2, LNKA, Zero },
                Package () { 0x0016FFFF, 3, LNKB, Zero },
                Package () { 0x0017FFFF, 0, LNKD, Zero },
                Package () { 0x0017FFFF, 1, LNKA, Zero },
                Package () { 0x0017FFFF, 2, LNKB, Zero },
                Package () { 0x0017FFFF, 3, LNKC, Zero },
                Package () { 0x0018FFFF, 0, LNKA, Zero },
                Package () { 0x0018FFFF, 1, LNKB, Zero },
                Package () { 0x0018FFFF, 2, LNKC, Zero },
                Package () { 0x0018FFFF, 3, LNKD, Zero },
                Package () { 0x0019FFFF, 0, LNKB, Zero },
                Package () { 0x0019FFFF, 1, LNKC, Zero },
                Package () { 0x0019FFFF, 2, LNKD, Zero },
                Package () { 0x0019FFFF, 3, LNKA, Zero },
                Package () { 0x001AFFFF, 0, LNKC, Zero },
                Package () { 0x001AFFFF, 1, LNKD, Zero },
                Package () { 0x001AFFFF, 2, LNKA, Zero },
                Package () { 0x001AFFFF, 3, LNKB, Zero },
                Package () { 0x001BFFFF, 0, LNKD, Zero },
                Package () { 0x001BFFFF, 1, LNKA, Zero },
                Package () { 0x001BFFFF, 2, LNKB, Zero },
                Package () { 0x001BFFFF, 3, LNKC, Zero },
                Package () { 0x001CFFFF, 0, LNKA, Zero },
                Package () { 0x001CFFFF, 1, LNKB, Zero },
                Package () { 0x001CFFFF, 2, LNKC, Zero },
                Package () { 0x001CFFFF, 3, LNKD, Zero },
                Package () { 0x001DFFFF, 0, LNKB, Zero },
                Package () { 0x001DFFFF, 1, LNKC, Zero },
                Package () { 0x001DFFFF, 2, LNKD, Zero },
                Package () { 0x001DFFFF, 3, LNKA, Zero },
                Package () { 0x001EFFFF, 0, LNKC, Zero },
                Package () { 0x001EFFFF, 1, LNKD, Zero },
                Package () { 0x001EFFFF, 2, LNKA, Zero },
                Package () { 0x001EFFFF, 3, LNKB, Zero },
                Package () { 0x001FFFFF, 0, LNKD, Zero },
                Package () { 0x001FFFFF, 1, LNKA, Zero },
                Package () { 0x001FFFFF, 2, LNKB, Zero },
                Package () { 0x001FFFFF, 3, LNKC, Zero },
            })

            /* 00:01.0, the PIIX3 ISA bridge: its PIRQ route registers and ISA devices. */
            Device (ISA)
            {
                Name (_ADR, 0x00010000)
                OperationRegion (PIRQ, PCI_Config, 0x60, 0x04)
                Field (PIRQ, ByteAcc, NoLock, Preserve)
                {
                    PRQA, 8, PRQB, 8, PRQC, 8, PRQD, 8
                }

                Device (RTC)
                {
                    Name (_HID, EisaId ("PNP0B00"))
                    Name (_CRS, ResourceTemplate ()
                    {
                        IO (Decode16, 0x0070, 0x0070, 0x01, 0x02)
                        IRQNoFlags () {8}
                    })
                }
                Device (KBD)
                {
                    Name (_HID, EisaId ("PNP0303"))
                    Name (_CRS, ResourceTemplate ()
                    {
                        IO (Decode16, 0x0060, 0x0060, 0x01, 0x01)
                        IO (Decode16, 0x0064, 0x0064, 0x01, 0x01)
                        IRQNoFlags () {1}
                    })
                }
                Device (MOU)
                {
                    Name (_HID, EisaId ("PNP0F13"))
                    Name (_CRS, ResourceTemplate ()
                    {
                        IRQNoFlags () {12}
                    })
                }
                Device (PIC)
                {
                    Name (_HID, EisaId ("PNP0000"))
                    Name (_CRS, ResourceTemplate ()
                    {
                        IO (Decode16, 0x0020, 0x0020, 0x01, 0x02)
                        IO (Decode16, 0x00A0, 0x00A0, 0x01, 0x02)
                        IO (Decode16, 0x04D0, 0x04D0, 0x01, 0x02)
                        IRQNoFlags () {2}
                    })
                }
                Device (TMR)
                {
                    Name (_HID, EisaId ("PNP0100"))
                    Name (_CRS, ResourceTemplate ()
                    {
                        IO (Decode16, 0x0040, 0x0040, 0x01, 0x04)
                        IRQNoFlags () {0}
                    })
                }
                Device (COM1)
                {
                    Name (_HID, EisaId ("PNP0501"))
                    Name (_UID, One)
                    Method (_STA, 0, NotSerialized)
                    {
                        If (DEVP & One) { Return (0x0F) }
                        Return (Zero)
                    }
                    Name (_CRS, ResourceTemplate ()
                    {
                        IO (Decode16, 0x03F8, 0x03F8, 0x00, 0x08)
                        IRQNoFlags () {4}
                    })
                }
                Device (COM2)
                {
                    Name (_HID, EisaId ("PNP0501"))
                    Name (_UID, 0x02)
                    Method (_STA, 0, NotSerialized)
                    {
                        If (DEVP & 0x02) { Return (0x0F) }
                        Return (Zero)
                    }
                    Name (_CRS, ResourceTemplate ()
                    {
                        IO (Decode16, 0x02F8, 0x02F8, 0x00, 0x08)
                        IRQNoFlags () {3}
                    })
                }
            }

            /* QEMU's fw_cfg interface (docs/specs/fw_cfg.txt), at hvmdm's ports. */
            Device (FWCF)
            {
                Name (_HID, "QEMU0002")
                Name (_STA, 0x0B)
                Name (_CRS, ResourceTemplate ()
                {
                    IO (Decode16, 0x0510, 0x0510, 0x01, 0x0C)
                })
            }

            /* PCI hot-plug (hw/piix4_pm.c, QEMU's layout at 0xae00). */
            OperationRegion (PCST, SystemIO, 0xAE00, 0x0C)
            Field (PCST, DWordAcc, NoLock, WriteAsZeros)
            {
                PCIU, 32, PCID, 32, B0EJ, 32
            }
            Method (EJ0S, 1, NotSerialized)
            {
                B0EJ = One << Arg0
            }
            /* Notify the slots whose bit is set in Arg0 with event Arg1. */
            Method (PCNF, 2, NotSerialized)
            {
                If (Arg0 & 0x00000004) { Notify (S02, Arg1) }
                If (Arg0 & 0x00000008) { Notify (S03, Arg1) }
                If (Arg0 & 0x00000010) { Notify (S04, Arg1) }
                If (Arg0 & 0x00000020) { Notify (S05, Arg1) }
                If (Arg0 & 0x00000040) { Notify (S06, Arg1) }
                If (Arg0 & 0x00000080) { Notify (S07, Arg1) }
                If (Arg0 & 0x00000100) { Notify (S08, Arg1) }
                If (Arg0 & 0x00000200) { Notify (S09, Arg1) }
                If (Arg0 & 0x00000400) { Notify (S0A, Arg1) }
                If (Arg0 & 0x00000800) { Notify (S0B, Arg1) }
                If (Arg0 & 0x00001000) { Notify (S0C, Arg1) }
                If (Arg0 & 0x00002000) { Notify (S0D, Arg1) }
                If (Arg0 & 0x00004000) { Notify (S0E, Arg1) }
                If (Arg0 & 0x00008000) { Notify (S0F, Arg1) }
                If (Arg0 & 0x00010000) { Notify (S10, Arg1) }
                If (Arg0 & 0x00020000) { Notify (S11, Arg1) }
                If (Arg0 & 0x00040000) { Notify (S12, Arg1) }
                If (Arg0 & 0x00080000) { Notify (S13, Arg1) }
                If (Arg0 & 0x00100000) { Notify (S14, Arg1) }
                If (Arg0 & 0x00200000) { Notify (S15, Arg1) }
                If (Arg0 & 0x00400000) { Notify (S16, Arg1) }
                If (Arg0 & 0x00800000) { Notify (S17, Arg1) }
                If (Arg0 & 0x01000000) { Notify (S18, Arg1) }
                If (Arg0 & 0x02000000) { Notify (S19, Arg1) }
                If (Arg0 & 0x04000000) { Notify (S1A, Arg1) }
                If (Arg0 & 0x08000000) { Notify (S1B, Arg1) }
                If (Arg0 & 0x10000000) { Notify (S1C, Arg1) }
                If (Arg0 & 0x20000000) { Notify (S1D, Arg1) }
                If (Arg0 & 0x40000000) { Notify (S1E, Arg1) }
                If (Arg0 & 0x80000000) { Notify (S1F, Arg1) }
            }
            Device (S02) { Name (_ADR, 0x00020000) Name (_SUN, 2) Method (_EJ0, 1) { EJ0S (2) } }
            Device (S03) { Name (_ADR, 0x00030000) Name (_SUN, 3) Method (_EJ0, 1) { EJ0S (3) } }
            Device (S04) { Name (_ADR, 0x00040000) Name (_SUN, 4) Method (_EJ0, 1) { EJ0S (4) } }
            Device (S05) { Name (_ADR, 0x00050000) Name (_SUN, 5) Method (_EJ0, 1) { EJ0S (5) } }
            Device (S06) { Name (_ADR, 0x00060000) Name (_SUN, 6) Method (_EJ0, 1) { EJ0S (6) } }
            Device (S07) { Name (_ADR, 0x00070000) Name (_SUN, 7) Method (_EJ0, 1) { EJ0S (7) } }
            Device (S08) { Name (_ADR, 0x00080000) Name (_SUN, 8) Method (_EJ0, 1) { EJ0S (8) } }
            Device (S09) { Name (_ADR, 0x00090000) Name (_SUN, 9) Method (_EJ0, 1) { EJ0S (9) } }
            Device (S0A) { Name (_ADR, 0x000A0000) Name (_SUN, 10) Method (_EJ0, 1) { EJ0S (10) } }
            Device (S0B) { Name (_ADR, 0x000B0000) Name (_SUN, 11) Method (_EJ0, 1) { EJ0S (11) } }
            Device (S0C) { Name (_ADR, 0x000C0000) Name (_SUN, 12) Method (_EJ0, 1) { EJ0S (12) } }
            Device (S0D) { Name (_ADR, 0x000D0000) Name (_SUN, 13) Method (_EJ0, 1) { EJ0S (13) } }
            Device (S0E) { Name (_ADR, 0x000E0000) Name (_SUN, 14) Method (_EJ0, 1) { EJ0S (14) } }
            Device (S0F) { Name (_ADR, 0x000F0000) Name (_SUN, 15) Method (_EJ0, 1) { EJ0S (15) } }
            Device (S10) { Name (_ADR, 0x00100000) Name (_SUN, 16) Method (_EJ0, 1) { EJ0S (16) } }
            Device (S11) { Name (_ADR, 0x00110000) Name (_SUN, 17) Method (_EJ0, 1) { EJ0S (17) } }
            Device (S12) { Name (_ADR, 0x00120000) Name (_SUN, 18) Method (_EJ0, 1) { EJ0S (18) } }
            Device (S13) { Name (_ADR, 0x00130000) Name (_SUN, 19) Method (_EJ0, 1) { EJ0S (19) } }
            Device (S14) { Name (_ADR, 0x00140000) Name (_SUN, 20) Method (_EJ0, 1) { EJ0S (20) } }
            Device (S15) { Name (_ADR, 0x00150000) Name (_SUN, 21) Method (_EJ0, 1) { EJ0S (21) } }
            Device (S16) { Name (_ADR, 0x00160000) Name (_SUN, 22) Method (_EJ0, 1) { EJ0S (22) } }
            Device (S17) { Name (_ADR, 0x00170000) Name (_SUN, 23) Method (_EJ0, 1) { EJ0S (23) } }
            Device (S18) { Name (_ADR, 0x00180000) Name (_SUN, 24) Method (_EJ0, 1) { EJ0S (24) } }
            Device (S19) { Name (_ADR, 0x00190000) Name (_SUN, 25) Method (_EJ0, 1) { EJ0S (25) } }
            Device (S1A) { Name (_ADR, 0x001A0000) Name (_SUN, 26) Method (_EJ0, 1) { EJ0S (26) } }
            Device (S1B) { Name (_ADR, 0x001B0000) Name (_SUN, 27) Method (_EJ0, 1) { EJ0S (27) } }
            Device (S1C) { Name (_ADR, 0x001C0000) Name (_SUN, 28) Method (_EJ0, 1) { EJ0S (28) } }
            Device (S1D) { Name (_ADR, 0x001D0000) Name (_SUN, 29) Method (_EJ0, 1) { EJ0S (29) } }
            Device (S1E) { Name (_ADR, 0x001E0000) Name (_SUN, 30) Method (_EJ0, 1) { EJ0S (30) } }
            Device (S1F) { Name (_ADR, 0x001F0000) Name (_SUN, 31) Method (_EJ0, 1) { EJ0S (31) } }
        }

        /*
         * The PCI interrupt links. Each is one PIIX3 route register: _STA
         * and _CRS read it, _SRS writes the IRQ, _DIS sets bit 7.
         */
        Name (PRSL, ResourceTemplate ()
        {
            IRQ (Level, ActiveHigh, Shared) {5, 10, 11}
        })
        Method (LSTA, 1, NotSerialized)
        {
            If (Arg0 & 0x80) { Return (0x09) }
            Return (0x0B)
        }
        /* An IRQ descriptor (tag, 16-bit mask, flags) with the link's IRQ, or none. */
        Method (LCRS, 1, NotSerialized)
        {
            Local0 = ResourceTemplate ()
            {
                IRQ (Level, ActiveHigh, Shared) {}
            }
            CreateWordField (Local0, One, IRQW)
            If (!(Arg0 & 0x80)) { IRQW = One << (Arg0 & 0x0F) }
            Return (Local0)
        }
        Method (LSRS, 1, Serialized)
        {
            CreateWordField (Arg0, One, IRQW)
            FindSetRightBit (IRQW, Local0)
            If (Local0) { Return (Local0 - One) }
            Return (0x80)
        }
        Device (LNKA)
        {
            Name (_HID, EisaId ("PNP0C0F"))
            Name (_UID, One)
            Method (_STA, 0, NotSerialized) { Return (LSTA (\_SB.PCI0.ISA.PRQA)) }
            Method (_PRS, 0, NotSerialized) { Return (PRSL) }
            Method (_CRS, 0, NotSerialized) { Return (LCRS (\_SB.PCI0.ISA.PRQA)) }
            Method (_SRS, 1, NotSerialized) { \_SB.PCI0.ISA.PRQA = LSRS (Arg0) }
            Method (_DIS, 0, NotSerialized) { \_SB.PCI0.ISA.PRQA |= 0x80 }
        }
        Device (LNKB)
        {
            Name (_HID, EisaId ("PNP0C0F"))
            Name (_UID, 0x02)
            Method (_STA, 0, NotSerialized) { Return (LSTA (\_SB.PCI0.ISA.PRQB)) }
            Method (_PRS, 0, NotSerialized) { Return (PRSL) }
            Method (_CRS, 0, NotSerialized) { Return (LCRS (\_SB.PCI0.ISA.PRQB)) }
            Method (_SRS, 1, NotSerialized) { \_SB.PCI0.ISA.PRQB = LSRS (Arg0) }
            Method (_DIS, 0, NotSerialized) { \_SB.PCI0.ISA.PRQB |= 0x80 }
        }
        Device (LNKC)
        {
            Name (_HID, EisaId ("PNP0C0F"))
            Name (_UID, 0x03)
            Method (_STA, 0, NotSerialized) { Return (LSTA (\_SB.PCI0.ISA.PRQC)) }
            Method (_PRS, 0, NotSerialized) { Return (PRSL) }
            Method (_CRS, 0, NotSerialized) { Return (LCRS (\_SB.PCI0.ISA.PRQC)) }
            Method (_SRS, 1, NotSerialized) { \_SB.PCI0.ISA.PRQC = LSRS (Arg0) }
            Method (_DIS, 0, NotSerialized) { \_SB.PCI0.ISA.PRQC |= 0x80 }
        }
        Device (LNKD)
        {
            Name (_HID, EisaId ("PNP0C0F"))
            Name (_UID, 0x04)
            Method (_STA, 0, NotSerialized) { Return (LSTA (\_SB.PCI0.ISA.PRQD)) }
            Method (_PRS, 0, NotSerialized) { Return (PRSL) }
            Method (_CRS, 0, NotSerialized) { Return (LCRS (\_SB.PCI0.ISA.PRQD)) }
            Method (_SRS, 1, NotSerialized) { \_SB.PCI0.ISA.PRQD = LSRS (Arg0) }
            Method (_DIS, 0, NotSerialized) { \_SB.PCI0.ISA.PRQD |= 0x80 }
        }
    }

    Scope (\_GPE)
    {
        Name (_HID, "ACPI0006")
        /* GPE0 bit 1: PCI hot-plug. Insertions get Device Check, removals Eject Request. */
        Method (_E01, 0, NotSerialized)
        {
            \_SB.PCI0.PCNF (\_SB.PCI0.PCIU, One)
            \_SB.PCI0.PCNF (\_SB.PCI0.PCID, 0x03)
        }
    }
}
