using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Drex.Grains.Services;

/// <summary>
/// Symmetric int8 quantization of state rows (one scale per row: its largest magnitude maps to 127) and the integer
/// dot product the item index's first pass scans with. A row is 4x smaller than its floats, and a large index's scan
/// is bound by memory, not arithmetic; the few rows that pass are rescored exactly.
/// </summary>
public static class Int8Rows
{
    /// <summary>Writes the row's codes and returns its scale (the row is <c>codes * scale</c> to within half a step of it).</summary>
    // The scan's loops run a million times the first time a partition is built: optimized from the start, not after tiering.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float Quantize(ReadOnlySpan<float> row, Span<sbyte> codes)
    {
        if (codes.Length != row.Length)
        {
            throw new ArgumentException($"{codes.Length} codes for a row of {row.Length}.", nameof(codes));
        }

        var largest = row.IsEmpty ? 0f : TensorPrimitives.MaxMagnitude(row);
        // A row of zeros, or one that is not finite (no model should produce it), scans as zero.
        if (largest == 0f || !float.IsFinite(largest))
        {
            codes.Clear();
            return 0f;
        }

        var scale = Math.Abs(largest) / 127f;
        for (var d = 0; d < row.Length; d++)
        {
            codes[d] = (sbyte)Math.Clamp(MathF.Round(row[d] / scale), -127f, 127f);
        }

        return scale;
    }

    /// <summary>The exact integer dot product of two code rows of equal length.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int Dot(ReadOnlySpan<sbyte> a, ReadOnlySpan<sbyte> b)
    {
        if (a.Length != b.Length)
        {
            throw new ArgumentException($"Rows of {a.Length} and {b.Length} codes.", nameof(b));
        }

        var sum = 0;
        var d = 0;
        ref var pa = ref MemoryMarshal.GetReference(a);
        ref var pb = ref MemoryMarshal.GetReference(b);
        if (Avx2.IsSupported && a.Length >= Vector256<sbyte>.Count)
        {
            // Widen 32 codes to two vectors of 16 shorts, multiply and add adjacent pairs into 8 ints (127 * 127 * 2
            // fits an int with room to spare).
            var acc = Vector256<int>.Zero;
            for (; d <= a.Length - Vector256<sbyte>.Count; d += Vector256<sbyte>.Count)
            {
                var va = Vector256.LoadUnsafe(ref Unsafe.Add(ref pa, d));
                var vb = Vector256.LoadUnsafe(ref Unsafe.Add(ref pb, d));
                var (aLow, aHigh) = Vector256.Widen(va);
                var (bLow, bHigh) = Vector256.Widen(vb);
                acc += Avx2.MultiplyAddAdjacent(aLow, bLow) + Avx2.MultiplyAddAdjacent(aHigh, bHigh);
            }

            sum = Vector256.Sum(acc);
        }

        if (Vector128.IsHardwareAccelerated && a.Length - d >= Vector128<sbyte>.Count)
        {
            // Any SIMD machine (ARM64's AdvSimd, x64 without AVX2), and the last 16 codes of a row that AVX2 leaves:
            // widen 16 codes to shorts, multiply (127 * 127 fits a short), widen the products to ints and add.
            var acc = Vector128<int>.Zero;
            for (; d <= a.Length - Vector128<sbyte>.Count; d += Vector128<sbyte>.Count)
            {
                var (aLow, aHigh) = Vector128.Widen(Vector128.LoadUnsafe(ref Unsafe.Add(ref pa, d)));
                var (bLow, bHigh) = Vector128.Widen(Vector128.LoadUnsafe(ref Unsafe.Add(ref pb, d)));
                var (p0, p1) = Vector128.Widen(aLow * bLow);
                var (p2, p3) = Vector128.Widen(aHigh * bHigh);
                acc += (p0 + p1) + (p2 + p3);
            }

            sum += Vector128.Sum(acc);
        }

        for (; d < a.Length; d++)
        {
            sum += a[d] * b[d];
        }

        return sum;
    }
}
