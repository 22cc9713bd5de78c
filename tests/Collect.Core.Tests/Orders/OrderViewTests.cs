using System.Text.Json;
using Collect.Core.Orders;
using Collect.Core.Tests.Support;
using HaiPay;

namespace Collect.Core.Tests.Orders;

public sealed class OrderViewTests
{
    [Fact]
    public void The_view_has_exactly_the_contract_fields_with_amounts_as_strings_and_enums_as_names()
    {
        var order = TestOrders.Pending(amount: 10m) with
        {
            Status = OrderStatus.Succeeded,
            ProviderStatus = CollectionStatus.Success,
            OrderNo = "SBX1",
            PayUrl = "http://pay/1",
            ActualAmount = 10m,
            Fee = 0.155m,
            PayTime = new DateTimeOffset(2026, 4, 17, 10, 0, 0, TimeSpan.FromHours(8)),
        };

        using var json = JsonDocument.Parse(JsonSerializer.Serialize(OrderView.From(order)));
        var root = json.RootElement;

        Assert.Equal(
            ["orderId", "currency", "amount", "payType", "inBankCode", "status", "providerStatus", "orderNo", "payUrl",
             "actualAmount", "fee", "payTime", "errorCode", "errorMessage", "createdAt", "updatedAt", "resolutionNote", "resolvedAt"],
            root.EnumerateObject().Select(p => p.Name).ToArray());
        Assert.Equal("HKD", root.GetProperty("currency").GetString());
        Assert.Equal("10.00", root.GetProperty("amount").GetString());
        Assert.Equal("10.00", root.GetProperty("actualAmount").GetString());
        Assert.Equal("0.155", root.GetProperty("fee").GetString());
        Assert.Equal("Succeeded", root.GetProperty("status").GetString());
        Assert.Equal(2, root.GetProperty("providerStatus").GetInt32());
        Assert.Equal("2026-04-17T10:00:00+08:00", root.GetProperty("payTime").GetString());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("errorCode").ValueKind);
    }

    [Fact]
    public void The_view_never_shows_customer_details()
    {
        var json = JsonSerializer.Serialize(OrderView.From(TestOrders.Pending()));

        Assert.DoesNotContain("Chan Tai Man", json);
        Assert.DoesNotContain("51234567", json);
        Assert.DoesNotContain("example.com", json);
    }
}
