import io.ltm.model.internal.Half;
/** Every float's binary16 encoding by the branch-free Half.fromFloat against the previous (branching) one. */
public class HalfExhaustive {
    public static void main(String[] a) {
        long differ = 0, n = 0;
        for (long i = Integer.MIN_VALUE; i <= Integer.MAX_VALUE; i++) {
            float f = Float.intBitsToFloat((int) i);
            short x = Half.fromFloat(f), y = OldHalf.fromFloat(f);
            n++;
            if (x != y && differ++ < 10) System.out.printf("0x%08x: new 0x%04x old 0x%04x%n", (int) i, x & 0xffff, y & 0xffff);
        }
        System.out.println("floats " + n + ", different encodings " + differ);
    }
}
