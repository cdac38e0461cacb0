namespace PgHaInfra.Core.Tests.Rendering;

/// <summary>
/// A strict parser of libpq keyword/value connection strings (libpq's conninfo_parse): keyword = value pairs,
/// values bare or in single quotes with \' and \\ escapes. Used to prove primary_conninfo is what libpq will read.
/// </summary>
internal static class LibpqConnInfo
{
    public static Dictionary<string, string> Parse(string conninfo)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        var i = 0;
        while (true)
        {
            while (i < conninfo.Length && char.IsWhiteSpace(conninfo[i]))
            {
                i++;
            }

            if (i == conninfo.Length)
            {
                return result;
            }

            var start = i;
            while (i < conninfo.Length && conninfo[i] != '=' && !char.IsWhiteSpace(conninfo[i]))
            {
                i++;
            }

            var keyword = conninfo[start..i];
            while (i < conninfo.Length && char.IsWhiteSpace(conninfo[i]))
            {
                i++;
            }

            Assert.True(i < conninfo.Length && conninfo[i] == '=', $"missing '=' after \"{keyword}\" in: {conninfo}");
            i++;
            while (i < conninfo.Length && char.IsWhiteSpace(conninfo[i]))
            {
                i++;
            }

            var value = new System.Text.StringBuilder();
            if (i < conninfo.Length && conninfo[i] == '\'')
            {
                i++;
                while (true)
                {
                    Assert.True(i < conninfo.Length, $"unterminated quoted string in: {conninfo}");
                    if (conninfo[i] == '\\' && i + 1 < conninfo.Length)
                    {
                        value.Append(conninfo[i + 1]);
                        i += 2;
                    }
                    else if (conninfo[i] == '\'')
                    {
                        i++;
                        break;
                    }
                    else
                    {
                        value.Append(conninfo[i++]);
                    }
                }
            }
            else
            {
                while (i < conninfo.Length && !char.IsWhiteSpace(conninfo[i]))
                {
                    if (conninfo[i] == '\\' && i + 1 < conninfo.Length)
                    {
                        i++;
                    }

                    value.Append(conninfo[i++]);
                }
            }

            Assert.True(result.TryAdd(keyword, value.ToString()), $"keyword {keyword} twice in: {conninfo}");
        }
    }
}
