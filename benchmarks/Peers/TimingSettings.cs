using System.Diagnostics;

namespace TensorGrad.Peers;

/// <summary>
/// How one measurement times a workload, the same in every library: call it for at least
/// <see cref="WarmupSeconds"/> (and twice at least), pick the number of calls per sample so a sample
/// lasts about <see cref="SampleSeconds"/>, time <see cref="Samples"/> samples and take the median
/// time per call.
/// </summary>
/// <param name="WarmupSeconds">Minimum warm-up time.</param>
/// <param name="SampleSeconds">Target duration of one sample.</param>
/// <param name="Samples">Samples per measurement.</param>
public sealed record TimingSettings(double WarmupSeconds, double SampleSeconds, int Samples)
{
    /// <summary>Seconds per call: the median over the samples of (sample time / calls per sample).</summary>
    public double MedianSecondsPerCall(Action call)
    {
        long start = Stopwatch.GetTimestamp();
        int warmupCalls = 0;
        double elapsed;
        do
        {
            call();
            warmupCalls++;
            elapsed = Stopwatch.GetElapsedTime(start).TotalSeconds;
        }
        while (elapsed < WarmupSeconds || warmupCalls < 2);

        int callsPerSample = (int)Math.Clamp(SampleSeconds / (elapsed / warmupCalls), 1, int.MaxValue);
        var perCall = new double[Samples];
        for (int s = 0; s < Samples; s++)
        {
            long sampleStart = Stopwatch.GetTimestamp();
            for (int i = 0; i < callsPerSample; i++)
            {
                call();
            }

            perCall[s] = Stopwatch.GetElapsedTime(sampleStart).TotalSeconds / callsPerSample;
        }

        return Statistics.Median(perCall);
    }
}
