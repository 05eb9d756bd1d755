using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace TensorGrad.Backends.Cpu.Kernels;

/// <summary>
/// Fused optimizer updates: one pass over parameter, gradient and state in Vector512 lanes where
/// AVX-512 is accelerated (Vector&lt;T&gt; stays 256 bits wide there), then Vector&lt;T&gt; lanes,
/// split over cores when large. The few elements past the last full vector go through the
/// Vector&lt;T&gt; formula with broadcast scalars, so each rule has one form per vector width.
/// </summary>
internal static class OptimizerKernels
{
    /// <summary>Elements summed in T before the partial sum is added in double.</summary>
    private const int NormChunk = 4096;

    public static double SumOfSquares<T>(T[] x)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        double total = 0;
        for (int start = 0; start < x.Length; start += NormChunk)
        {
            total += double.CreateTruncating(TensorPrimitives.SumOfSquares(x.AsSpan(start, Math.Min(NormChunk, x.Length - start))));
        }

        return total;
    }

    public static void Sgd<T>(T[] parameter, T[] gradient, T[]? velocity, in SgdUpdate update)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var kernel = new SgdKernel<T>(parameter, gradient, velocity, update);
        CpuParallel.For(parameter.LongLength, CpuParallel.ElementGrain, kernel, static (k, start, end) => k.Run((int)start, (int)end));
    }

    public static void Adam<T>(T[] parameter, T[] gradient, T[] firstMoment, T[] secondMoment, in AdamUpdate update)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var kernel = new AdamKernel<T>(parameter, gradient, firstMoment, secondMoment, update);
        CpuParallel.For(parameter.LongLength, CpuParallel.ElementGrain, kernel, static (k, start, end) => k.Run((int)start, (int)end));
    }

    private static ref T At<T>(T[] array) => ref MemoryMarshal.GetArrayDataReference(array);

    private readonly struct SgdKernel<T>(T[] parameter, T[] gradient, T[]? velocity, SgdUpdate update)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly T learningRate = T.CreateTruncating(update.LearningRate);
        private readonly T momentum = T.CreateTruncating(update.Momentum);
        private readonly T keep = T.CreateTruncating(update.Keep);
        private readonly T weightDecay = T.CreateTruncating(update.WeightDecay);

        public void Run(int start, int end)
        {
            var none = Vector<T>.Zero;
            int i = start;
            if (Vector512.IsHardwareAccelerated)
            {
                for (; i <= end - Vector512<T>.Count; i += Vector512<T>.Count)
                {
                    var v = velocity is null ? Vector512<T>.Zero : Vector512.LoadUnsafe(ref At(velocity), (nuint)i);
                    var p = Update(Vector512.LoadUnsafe(ref At(parameter), (nuint)i), Vector512.LoadUnsafe(ref At(gradient), (nuint)i), ref v);
                    p.StoreUnsafe(ref At(parameter), (nuint)i);
                    if (velocity is not null)
                    {
                        v.StoreUnsafe(ref At(velocity), (nuint)i);
                    }
                }
            }

            for (; i <= end - Vector<T>.Count; i += Vector<T>.Count)
            {
                var v = velocity is null ? none : Vector.LoadUnsafe(ref At(velocity), (nuint)i);
                var p = Update(Vector.LoadUnsafe(ref At(parameter), (nuint)i), Vector.LoadUnsafe(ref At(gradient), (nuint)i), ref v);
                p.StoreUnsafe(ref At(parameter), (nuint)i);
                if (velocity is not null)
                {
                    v.StoreUnsafe(ref At(velocity), (nuint)i);
                }
            }

            for (; i < end; i++)
            {
                var v = new Vector<T>(velocity is null ? T.Zero : velocity[i]);
                parameter[i] = Update(new Vector<T>(parameter[i]), new Vector<T>(gradient[i]), ref v)[0];
                if (velocity is not null)
                {
                    velocity[i] = v[0];
                }
            }
        }

        private Vector<T> Update(Vector<T> p, Vector<T> g, ref Vector<T> v)
        {
            var d = g + (p * weightDecay);
            if (velocity is not null)
            {
                v = update.FirstStep ? d : (v * momentum) + (d * keep);
                d = update.Nesterov ? d + (v * momentum) : v;
            }

            return p - (d * learningRate);
        }

        /// <summary>The same rule on 512-bit vectors.</summary>
        private Vector512<T> Update(Vector512<T> p, Vector512<T> g, ref Vector512<T> v)
        {
            var d = g + (p * weightDecay);
            if (velocity is not null)
            {
                v = update.FirstStep ? d : (v * momentum) + (d * keep);
                d = update.Nesterov ? d + (v * momentum) : v;
            }

            return p - (d * learningRate);
        }
    }

    private readonly struct AdamKernel<T>(T[] parameter, T[] gradient, T[] firstMoment, T[] secondMoment, AdamUpdate update)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly T beta1 = T.CreateTruncating(update.Beta1);
        private readonly T beta2 = T.CreateTruncating(update.Beta2);
        private readonly T oneMinusBeta1 = T.CreateTruncating(update.OneMinusBeta1);
        private readonly T oneMinusBeta2 = T.CreateTruncating(update.OneMinusBeta2);
        private readonly T epsilon = T.CreateTruncating(update.Epsilon);
        private readonly T coupledDecay = T.CreateTruncating(update.CoupledDecay);
        private readonly T shrink = T.CreateTruncating(update.Shrink);
        private readonly T stepSize = T.CreateTruncating(update.StepSize);
        private readonly T inverseCorrection2 = T.CreateTruncating(update.InverseBiasCorrection2Sqrt);

        public void Run(int start, int end)
        {
            int i = start;
            if (Vector512.IsHardwareAccelerated)
            {
                for (; i <= end - Vector512<T>.Count; i += Vector512<T>.Count)
                {
                    var m = Vector512.LoadUnsafe(ref At(firstMoment), (nuint)i);
                    var v = Vector512.LoadUnsafe(ref At(secondMoment), (nuint)i);
                    var p = Update(Vector512.LoadUnsafe(ref At(parameter), (nuint)i), Vector512.LoadUnsafe(ref At(gradient), (nuint)i), ref m, ref v);
                    p.StoreUnsafe(ref At(parameter), (nuint)i);
                    m.StoreUnsafe(ref At(firstMoment), (nuint)i);
                    v.StoreUnsafe(ref At(secondMoment), (nuint)i);
                }
            }

            for (; i <= end - Vector<T>.Count; i += Vector<T>.Count)
            {
                var m = Vector.LoadUnsafe(ref At(firstMoment), (nuint)i);
                var v = Vector.LoadUnsafe(ref At(secondMoment), (nuint)i);
                var p = Update(Vector.LoadUnsafe(ref At(parameter), (nuint)i), Vector.LoadUnsafe(ref At(gradient), (nuint)i), ref m, ref v);
                p.StoreUnsafe(ref At(parameter), (nuint)i);
                m.StoreUnsafe(ref At(firstMoment), (nuint)i);
                v.StoreUnsafe(ref At(secondMoment), (nuint)i);
            }

            for (; i < end; i++)
            {
                var m = new Vector<T>(firstMoment[i]);
                var v = new Vector<T>(secondMoment[i]);
                parameter[i] = Update(new Vector<T>(parameter[i]), new Vector<T>(gradient[i]), ref m, ref v)[0];
                firstMoment[i] = m[0];
                secondMoment[i] = v[0];
            }
        }

        private Vector<T> Update(Vector<T> p, Vector<T> g, ref Vector<T> m, ref Vector<T> v)
        {
            g += p * coupledDecay;
            p *= shrink;
            m = (m * beta1) + (g * oneMinusBeta1);
            v = (v * beta2) + (g * g * oneMinusBeta2);
            var denominator = (Vector.SquareRoot(v) * inverseCorrection2) + new Vector<T>(epsilon);
            return p - (m * stepSize / denominator);
        }

        /// <summary>The same rule on 512-bit vectors.</summary>
        private Vector512<T> Update(Vector512<T> p, Vector512<T> g, ref Vector512<T> m, ref Vector512<T> v)
        {
            g += p * coupledDecay;
            p *= shrink;
            m = (m * beta1) + (g * oneMinusBeta1);
            v = (v * beta2) + (g * g * oneMinusBeta2);
            var denominator = (Vector512.Sqrt(v) * inverseCorrection2) + Vector512.Create(epsilon);
            return p - (m * stepSize / denominator);
        }
    }
}
