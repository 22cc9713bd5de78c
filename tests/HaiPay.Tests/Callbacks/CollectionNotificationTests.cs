using HaiPay.Callbacks;

namespace HaiPay.Tests.Callbacks;

public class CollectionNotificationTests
{
    private static readonly TimeSpan HongKong = TimeSpan.FromHours(8);

    [Fact]
    public void Reads_every_known_field()
    {
        var fields = CallbackParser.Parse(
            """{"appId":1001,"currency":"HKD","orderId":"ORD-1","orderNo":"HP123","amount":"100.50","fee":1.5,"status":2,"payTime":"2026-04-17 13:45:30","errorMsg":"","extra":"x","sign":"s"}""",
            null);

        var notification = CollectionNotification.FromFields(fields, HongKong);

        Assert.Equal("ORD-1", notification.OrderId);
        Assert.Equal("HP123", notification.OrderNo);
        Assert.Equal(1001L, notification.AppId);
        Assert.Equal("HKD", notification.Currency);
        Assert.Equal(100.50m, notification.Amount);
        Assert.Equal(1.5m, notification.Fee);
        Assert.Equal(CollectionStatus.Success, notification.Status);
        Assert.Equal(new DateTimeOffset(2026, 4, 17, 13, 45, 30, HongKong), notification.PayTime);
        Assert.Equal(new DateTime(2026, 4, 17, 5, 45, 30), notification.PayTime!.Value.UtcDateTime);
        Assert.Null(notification.ErrorMsg);
    }

    [Fact]
    public void Reads_a_failure_with_only_the_required_fields_and_the_message()
    {
        var notification = CollectionNotification.FromFields(
            CallbackParser.Parse("orderId=ORD-2&status=3&errorMsg=Card+declined", null), HongKong);

        Assert.Equal(CollectionStatus.Failed, notification.Status);
        Assert.Equal("Card declined", notification.ErrorMsg);
        Assert.Null(notification.Amount);
        Assert.Null(notification.PayTime);
        Assert.Null(notification.AppId);
    }

    [Theory]
    [InlineData("-1", CollectionStatus.PendingConfirmation)]
    [InlineData("0", CollectionStatus.NotStarted)]
    [InlineData("4", CollectionStatus.PartialCollection)]
    [InlineData("5", CollectionStatus.OverCollection)]
    public void Reads_every_status(string status, CollectionStatus expected)
    {
        var fields = new Dictionary<string, string?> { ["orderId"] = "O", ["status"] = status };

        Assert.Equal(expected, CollectionNotification.FromFields(fields, HongKong).Status);
    }

    [Fact]
    public void Uses_the_configured_provider_offset()
    {
        var fields = new Dictionary<string, string?> { ["orderId"] = "O", ["status"] = "2", ["payTime"] = "2026-01-01 00:30:00" };

        var payTime = CollectionNotification.FromFields(fields, TimeSpan.Zero).PayTime!.Value;

        Assert.Equal(TimeSpan.Zero, payTime.Offset);
        Assert.Equal(new DateTime(2026, 1, 1, 0, 30, 0), payTime.UtcDateTime);
    }

    [Theory]
    [InlineData(null, "2", "no orderId")]
    [InlineData("", "2", "no orderId")]
    [InlineData("O", null, "no status")]
    [InlineData("O", "", "no status")]
    public void Missing_order_id_or_status_is_a_format_error(string? orderId, string? status, string expected)
    {
        var fields = new Dictionary<string, string?> { ["orderId"] = orderId, ["status"] = status };

        var ex = Assert.Throws<CallbackFormatException>(() => CollectionNotification.FromFields(fields, HongKong));

        Assert.Contains(expected, ex.Message);
    }

    [Theory]
    [InlineData("7")]
    [InlineData("success")]
    [InlineData("2.0")]
    public void An_unknown_status_is_kept_raw_not_refused(string status)
    {
        var fields = new Dictionary<string, string?> { ["orderId"] = "O", ["status"] = status };

        var notification = CollectionNotification.FromFields(fields, HongKong);

        Assert.Null(notification.Status);
        Assert.Equal(status, notification.StatusText);
    }

    [Theory]
    [InlineData("amount", "1,000.00")]
    [InlineData("fee", "abc")]
    [InlineData("appId", "10x")]
    [InlineData("payTime", "2026-04-17T13:45:30")]
    [InlineData("payTime", "2026-02-30 10:00:00")]
    public void Unreadable_optional_fields_read_as_null_and_the_callback_is_still_read(string name, string value)
    {
        var fields = new Dictionary<string, string?> { ["orderId"] = "O", ["status"] = "2", [name] = value };

        var notification = CollectionNotification.FromFields(fields, HongKong);

        Assert.Equal(CollectionStatus.Success, notification.Status);
        object? read = name switch
        {
            "amount" => notification.Amount,
            "fee" => notification.Fee,
            "appId" => notification.AppId,
            _ => notification.PayTime,
        };
        Assert.Null(read);
    }
}
