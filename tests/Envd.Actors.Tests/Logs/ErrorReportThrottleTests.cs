using Envd.Actors.Logs;

namespace Envd.Actors.Tests.Logs;

public sealed class ErrorReportThrottleTests
{
    [Fact]
    public void One_report_a_minute_with_the_count_of_errors_in_between()
    {
        var throttle = ErrorReportThrottle.Initial;

        (throttle, var first) = throttle.Record(TimeSpan.FromSeconds(10));
        (throttle, var second) = throttle.Record(TimeSpan.FromSeconds(20));
        (throttle, var third) = throttle.Record(TimeSpan.FromSeconds(69));
        (throttle, var fourth) = throttle.Record(TimeSpan.FromSeconds(70));

        Assert.Equal(0, first);
        Assert.Null(second);
        Assert.Null(third);
        Assert.Equal(2, fourth);
        Assert.Equal(0, throttle.Suppressed);
    }
}
