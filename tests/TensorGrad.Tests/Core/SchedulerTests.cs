using TensorGrad.Optim;

namespace TensorGrad.Tests.Core;

public sealed class SchedulerTests
{
    private static Sgd Optimizer(double lr)
    {
        var p = Tensor.Zeros([1]);
        return new Sgd([p], lr);
    }

    private static void AssertSchedule(LRScheduler scheduler, params (int Step, double Rate)[] expected)
    {
        foreach (var (step, rate) in expected)
        {
            Assert.True(Math.Abs(scheduler.LearningRateAt(step) - rate) < 1e-12, $"step {step}: expected {rate}, got {scheduler.LearningRateAt(step)}");
        }
    }

    [Fact]
    public void StepLR_decays_by_gamma_every_step_size_iterations()
    {
        var scheduler = new StepLR(Optimizer(0.1), stepSize: 3, gamma: 0.5);
        AssertSchedule(scheduler, (0, 0.1), (2, 0.1), (3, 0.05), (5, 0.05), (6, 0.025), (30, 0.1 / 1024));
    }

    [Fact]
    public void CosineAnnealing_follows_half_a_cosine_then_holds_the_minimum()
    {
        var scheduler = new CosineAnnealing(Optimizer(1), steps: 10, minLearningRate: 0.1);
        // min + (1 - min)(1 + cos(πt/10))/2
        AssertSchedule(scheduler, (0, 1), (2, 0.1 + (0.9 * (1 + Math.Cos(0.2 * Math.PI)) / 2)), (5, 0.55), (10, 0.1), (15, 0.1));
    }

    [Fact]
    public void LinearWarmup_ramps_to_the_base_rate_and_holds_it()
    {
        var scheduler = new LinearWarmup(Optimizer(1), warmupSteps: 4);
        AssertSchedule(scheduler, (0, 0.25), (1, 0.5), (3, 1), (100, 1));
    }

    [Fact]
    public void WarmupCosine_ramps_up_then_anneals_to_the_minimum()
    {
        var scheduler = new WarmupCosine(Optimizer(1), warmupSteps: 2, totalSteps: 12, minLearningRate: 0.1);
        AssertSchedule(scheduler, (0, 0.5), (1, 1), (2, 1), (7, 0.55), (12, 0.1), (20, 0.1));
    }

    [Fact]
    public void Stepping_sets_the_optimizer_rate_from_step_zero_on()
    {
        var optimizer = Optimizer(1);
        var scheduler = new WarmupCosine(optimizer, warmupSteps: 4, totalSteps: 10);
        Assert.Equal(0.25, optimizer.LearningRate, 12);
        for (int step = 1; step <= 12; step++)
        {
            scheduler.Step();
            Assert.Equal(step, scheduler.StepCount);
            Assert.Equal(scheduler.LearningRateAt(step), optimizer.LearningRate, 12);
            Assert.Equal(optimizer.LearningRate, scheduler.LearningRate);
        }

        Assert.Equal(0, optimizer.LearningRate, 12);
        Assert.Equal(1, scheduler.BaseLearningRate);
    }

    [Fact]
    public void Setting_the_step_count_resumes_the_schedule_mid_way()
    {
        var optimizer = Optimizer(1);
        var scheduler = new CosineAnnealing(optimizer, steps: 10);
        scheduler.StepCount = 5;
        Assert.Equal(0.5, optimizer.LearningRate, 12);
        scheduler.Step();
        Assert.Equal(scheduler.LearningRateAt(6), optimizer.LearningRate, 12);
        Assert.Throws<ArgumentOutOfRangeException>(() => scheduler.StepCount = -1);
    }

    [Fact]
    public void Bad_schedule_settings_are_rejected_with_the_rule()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new StepLR(Optimizer(1), stepSize: 0));
        Assert.Contains("StepLR: stepSize must be > 0", e.Message);
        e = Assert.Throws<ArgumentOutOfRangeException>(() => new WarmupCosine(Optimizer(1), warmupSteps: 10, totalSteps: 10));
        Assert.Contains("totalSteps must be > warmupSteps (10)", e.Message);
        e = Assert.Throws<ArgumentOutOfRangeException>(() => new CosineAnnealing(Optimizer(0.1), steps: 5, minLearningRate: 0.2));
        Assert.Contains("minLearningRate", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new LinearWarmup(Optimizer(1), warmupSteps: 0));
    }
}
