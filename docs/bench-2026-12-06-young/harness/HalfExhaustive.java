import io.ltm.model.internal.Half;
/** Every float's binary16 encoding by Half.fromFloat and Half.fromFloatBranchless against the branching one of 4bf025f. */
public class HalfExhaustive {
    public static void main(String[] a) {
        long differ = 0, differBranchless = 0, n = 0;
        for (long i = Integer.MIN_VALUE; i <= Integer.MAX_VALUE; i++) {
            float f = Float.intBitsToFloat((int) i);
            short x = Half.fromFloat(f), y = Half.fromFloatBranchless(f), old = OldHalf.fromFloat(f);
            n++;
            if (x != old && differ++ < 10) System.out.printf("0x%08x: fromFloat 0x%04x old 0x%04x%n", (int) i, x & 0xffff, old & 0xffff);
            if (y != old && differBranchless++ < 10) System.out.printf("0x%08x: branchless 0x%04x old 0x%04x%n", (int) i, y & 0xffff, old & 0xffff);
        }
        System.out.println("floats " + n + ", different encodings: fromFloat " + differ + ", fromFloatBranchless " + differBranchless);
    }
}
