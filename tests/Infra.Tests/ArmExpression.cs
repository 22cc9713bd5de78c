using System.Text;
using System.Text.Json.Nodes;

namespace Infra.Tests;

/// <summary>
/// Reads the parts of ARM template expressions the tests look into: the arguments of a call such as
/// <c>createObject('k', v, …)</c> or <c>union(a, b)</c>, each as a template string would hold it (a literal
/// unquoted, anything else as a bracketed expression, exactly as Bicep writes a property it cannot fold).
/// </summary>
public static class ArmExpression
{
    /// <summary>The top-level arguments of <paramref name="call"/> (a call expression, with or without brackets).</summary>
    public static IReadOnlyList<string> Arguments(string call, string function)
    {
        var expression = call.StartsWith('[') && call.EndsWith(']') ? call[1..^1] : call;
        Assert.StartsWith(function + "(", expression);
        Assert.EndsWith(")", expression);
        var inner = expression[(function.Length + 1)..^1];
        var arguments = new List<string>();
        var current = new StringBuilder();
        var depth = 0;
        var quoted = false;
        for (var i = 0; i < inner.Length; i++)
        {
            var c = inner[i];
            if (quoted)
            {
                current.Append(c);
                if (c == '\'')
                {
                    if (i + 1 < inner.Length && inner[i + 1] == '\'')
                    {
                        current.Append(inner[++i]);
                    }
                    else
                    {
                        quoted = false;
                    }
                }
                continue;
            }
            switch (c)
            {
                case '\'':
                    quoted = true;
                    current.Append(c);
                    break;
                case '(' or '[':
                    depth++;
                    current.Append(c);
                    break;
                case ')' or ']':
                    depth--;
                    current.Append(c);
                    break;
                case ',' when depth == 0:
                    arguments.Add(current.ToString().Trim());
                    current.Clear();
                    break;
                default:
                    current.Append(c);
                    break;
            }
        }
        if (current.Length > 0)
        {
            arguments.Add(current.ToString().Trim());
        }
        return arguments;
    }

    /// <summary>The object a <c>createObject('k1', v1, 'k2', v2, …)</c> call builds, values as template strings.</summary>
    public static JsonObject CreateObject(string call)
    {
        var arguments = Arguments(call, "createObject");
        Assert.True(arguments.Count % 2 == 0, $"createObject with an odd argument count: {call}");
        var result = new JsonObject();
        for (var i = 0; i < arguments.Count; i += 2)
        {
            result[Literal(arguments[i])] = TemplateString(arguments[i + 1]);
        }
        return result;
    }

    /// <summary>An argument as a template string: <c>'text'</c> becomes <c>text</c>, an expression <c>[expression]</c>.</summary>
    public static string TemplateString(string argument) =>
        argument.Length >= 2 && argument[0] == '\'' && argument[^1] == '\'' ? Literal(argument) : $"[{argument}]";

    private static string Literal(string argument)
    {
        Assert.True(argument.Length >= 2 && argument[0] == '\'' && argument[^1] == '\'', $"not a string literal: {argument}");
        return argument[1..^1].Replace("''", "'");
    }
}
