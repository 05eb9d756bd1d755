using System.Numerics;

namespace TensorGrad.Backends.Cpu.Kernels;

/// <summary>
/// Max and average pooling straight over the input planes (no column matrix), planes split over
/// the cores. Max pooling keeps each window's first maximum as the window position i·KernelW + j;
/// NaN propagates as in PyTorch.
/// </summary>
internal static class PoolKernels
{
    public static void Forward<T>(PoolKind kind, T[] x, in ConvGeometry geometry, T[] y, T[]? indices)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var g = geometry;
        var (planes, grain) = Planes(g);
        CpuParallel.For(planes, grain, (Kind: kind, X: x, G: g, Y: y, I: indices), static (s, start, end) =>
        {
            var g = s.G;
            int planeSize = g.Height * g.Width;
            T scale = T.One / T.CreateTruncating(g.KernelH * g.KernelW);
            for (long p = start; p < end; p++)
            {
                var plane = s.X.AsSpan((int)(p * planeSize), planeSize);
                int outBase = (int)(p * g.OutPlane);
                for (int oh = 0; oh < g.OutHeight; oh++)
                {
                    for (int ow = 0; ow < g.OutWidth; ow++)
                    {
                        T acc = s.Kind == PoolKind.Max ? T.NegativeInfinity : T.Zero;
                        int best = 0;
                        for (int i = 0; i < g.KernelH; i++)
                        {
                            int ih = (oh * g.StrideH) - g.PadH + (i * g.DilationH);
                            if ((uint)ih >= (uint)g.Height)
                            {
                                continue;
                            }

                            for (int j = 0; j < g.KernelW; j++)
                            {
                                int iw = (ow * g.StrideW) - g.PadW + (j * g.DilationW);
                                if ((uint)iw >= (uint)g.Width)
                                {
                                    continue;
                                }

                                T v = plane[(ih * g.Width) + iw];
                                if (s.Kind == PoolKind.Average)
                                {
                                    acc += v;
                                }
                                else if (v > acc || (T.IsNaN(v) && !T.IsNaN(acc)))
                                {
                                    (acc, best) = (v, (i * g.KernelW) + j);
                                }
                            }
                        }

                        int o = outBase + (oh * g.OutWidth) + ow;
                        s.Y[o] = s.Kind == PoolKind.Max ? acc : acc * scale;
                        if (s.I is not null)
                        {
                            s.I[o] = T.CreateTruncating(best);
                        }
                    }
                }
            }
        });
    }

    public static void Backward<T>(PoolKind kind, T[] gradY, T[]? indices, in ConvGeometry geometry, T[] gradX)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var g = geometry;
        var (planes, grain) = Planes(g);
        CpuParallel.For(planes, grain, (Kind: kind, GY: gradY, I: indices, G: g, GX: gradX), static (s, start, end) =>
        {
            var g = s.G;
            int planeSize = g.Height * g.Width;
            T scale = T.One / T.CreateTruncating(g.KernelH * g.KernelW);
            for (long p = start; p < end; p++)
            {
                var plane = s.GX.AsSpan((int)(p * planeSize), planeSize);
                plane.Clear();
                int outBase = (int)(p * g.OutPlane);
                for (int oh = 0; oh < g.OutHeight; oh++)
                {
                    for (int ow = 0; ow < g.OutWidth; ow++)
                    {
                        int o = outBase + (oh * g.OutWidth) + ow;
                        if (s.Kind == PoolKind.Max)
                        {
                            int best = int.CreateTruncating(s.I![o]);
                            int ih = (oh * g.StrideH) - g.PadH + (best / g.KernelW * g.DilationH);
                            int iw = (ow * g.StrideW) - g.PadW + (best % g.KernelW * g.DilationW);
                            if ((uint)ih < (uint)g.Height && (uint)iw < (uint)g.Width)
                            {
                                plane[(ih * g.Width) + iw] += s.GY[o];
                            }

                            continue;
                        }

                        T share = s.GY[o] * scale;
                        for (int i = 0; i < g.KernelH; i++)
                        {
                            int ih = (oh * g.StrideH) - g.PadH + (i * g.DilationH);
                            for (int j = 0; (uint)ih < (uint)g.Height && j < g.KernelW; j++)
                            {
                                int iw = (ow * g.StrideW) - g.PadW + (j * g.DilationW);
                                if ((uint)iw < (uint)g.Width)
                                {
                                    plane[(ih * g.Width) + iw] += share;
                                }
                            }
                        }
                    }
                }
            }
        });
    }

    /// <summary>The planes to pool and how many a part takes, so each part reads about a grain of elements.</summary>
    private static (long Planes, long Grain) Planes(in ConvGeometry g) =>
        ((long)g.Batch * g.Channels, Math.Max(1, CpuParallel.ElementGrain / Math.Max(1, (long)g.OutPlane * g.KernelH * g.KernelW)));
}
