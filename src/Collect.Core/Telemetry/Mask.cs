namespace Collect.Core.Telemetry;

/// <summary>
/// Masks customer contact details for logs: a phone keeps its +852/852 prefix and last four digits
/// (<c>+852****5678</c>), an email keeps its first character and domain (<c>j***@example.com</c>).
/// </summary>
public static class Mask
{
    private const string Hidden = "****";

    public static string Phone(string? phone)
    {
        if (string.IsNullOrWhiteSpace(phone))
        {
            return string.Empty;
        }
        var plus = phone.TrimStart().StartsWith('+') ? "+" : string.Empty;
        var digits = new string(phone.Where(char.IsAsciiDigit).ToArray());
        if (digits.Length <= 4)
        {
            return Hidden;
        }
        var prefix = digits.Length > 8 && digits.StartsWith("852", StringComparison.Ordinal) ? plus + "852" : string.Empty;
        return prefix + Hidden + digits[^4..];
    }

    public static string Email(string? email)
    {
        if (string.IsNullOrWhiteSpace(email))
        {
            return string.Empty;
        }
        var at = email.LastIndexOf('@');
        if (at <= 0 || at == email.Length - 1)
        {
            return "***";
        }
        return email[0] + "***" + email[at..];
    }

    /// <summary>A name as initials: <c>Chan Tai Man</c> → <c>C*** T*** M***</c>.</summary>
    public static string Name(string? name) =>
        string.IsNullOrWhiteSpace(name)
            ? string.Empty
            : string.Join(' ', name.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(part => part[0] + "***"));
}
