namespace HaiPay;

/// <summary>HaiPay's collection status (query <c>data.status</c> and callback <c>status</c>).</summary>
public enum CollectionStatus
{
    /// <summary>-1: abnormal, pending confirmation. Not final.</summary>
    PendingConfirmation = -1,
    /// <summary>0: not started. Not final.</summary>
    NotStarted = 0,
    /// <summary>1: processing. Not final.</summary>
    Processing = 1,
    /// <summary>2: success. Final.</summary>
    Success = 2,
    /// <summary>3: failed. Final.</summary>
    Failed = 3,
    /// <summary>4: partial collection. Final with a mismatch: flag for review.</summary>
    PartialCollection = 4,
    /// <summary>5: over-collection. Final with a mismatch: flag for review.</summary>
    OverCollection = 5,
}

public static class CollectionStatusExtensions
{
    /// <summary>True for 2, 3, 4 and 5: HaiPay will not change the status again.</summary>
    public static bool IsFinal(this CollectionStatus status) =>
        status is CollectionStatus.Success or CollectionStatus.Failed
            or CollectionStatus.PartialCollection or CollectionStatus.OverCollection;

    /// <summary>Parses the wire value ("2", 2, "-1"); unknown values are not accepted.</summary>
    public static bool TryParse(string? value, out CollectionStatus status)
    {
        if (int.TryParse(value?.Trim(), System.Globalization.NumberStyles.AllowLeadingSign,
                System.Globalization.CultureInfo.InvariantCulture, out var n) && Enum.IsDefined(typeof(CollectionStatus), n))
        {
            status = (CollectionStatus)n;
            return true;
        }
        status = default;
        return false;
    }

    /// <summary>The integer HaiPay puts on the wire.</summary>
    public static int ToWire(this CollectionStatus status) => (int)status;
}
