using Collect.Core.Orders;
using Collect.Core.Tests.Support;

namespace Collect.Core.Tests.Orders;

public sealed class RequestHashTests
{
    [Fact]
    public void Identical_requests_have_the_same_hash()
    {
        Assert.Equal(RequestHash.Compute(TestOrders.CreateRequest("A1")), RequestHash.Compute(TestOrders.CreateRequest("A1")));
    }

    [Fact]
    public void Normalization_ignores_amount_notation_currency_case_and_empty_optional_fields()
    {
        var request = TestOrders.CreateRequest("A1", "10.00") with { Body = null };

        Assert.Equal(RequestHash.Compute(request), RequestHash.Compute(request with { Amount = "10", Currency = "hkd", Body = "" }));
    }

    [Theory]
    [InlineData("amount")]
    [InlineData("email")]
    [InlineData("callBackUrl")]
    [InlineData("subject")]
    public void Any_different_field_changes_the_hash(string field)
    {
        var request = TestOrders.CreateRequest("A1");
        var changed = field switch
        {
            "amount" => request with { Amount = "100.01" },
            "email" => request with { Email = "other@example.com" },
            "callBackUrl" => request with { CallBackUrl = "https://shop.example.com/other" },
            _ => request with { Subject = "Another subject" },
        };

        Assert.NotEqual(RequestHash.Compute(request), RequestHash.Compute(changed));
    }

    [Fact]
    public void Values_cannot_shift_between_fields()
    {
        var a = TestOrders.CreateRequest("A1") with { Subject = "x|y", Body = null };
        var b = TestOrders.CreateRequest("A1") with { Subject = "x", Body = "|y" };

        Assert.NotEqual(RequestHash.Compute(a), RequestHash.Compute(b));
    }
}
