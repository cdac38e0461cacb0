using PgHaInfra.Operations.Lag;
using PgHaInfra.Operations.Wal;

namespace PgHaInfra.Core.Tests.Lag;

public class LsnTests
{
    [Theory]
    [InlineData("0/3000148", 0x3000148UL)]
    [InlineData("1/0", 0x1_0000_0000UL)]
    [InlineData("16/B374D848", 0x16_B374_D848UL)]
    public void Parses_and_prints_like_postgresql(string text, ulong value)
    {
        Assert.Equal(value, Lsn.Parse(text).Value);
        Assert.Equal(text, new Lsn(value).ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("3000148")]
    [InlineData("0/xyz")]
    public void Rejects_what_is_not_a_wal_position(string text) => Assert.Throws<FormatException>(() => Lsn.Parse(text));

    [Fact]
    public void Bytes_ahead_never_goes_negative_when_readings_race()
    {
        Assert.Equal(0x100, Lsn.Parse("0/3000148").BytesAhead(Lsn.Parse("0/3000048")));
        Assert.Equal(0, Lsn.Parse("0/3000048").BytesAhead(Lsn.Parse("0/3000148")));
    }

    [Theory]
    [InlineData(0, "0 B")]
    [InlineData(1023, "1023 B")]
    [InlineData(1536, "1.5 kB")]
    [InlineData(1024L * 1024 * 1024, "1 GB")]
    public void Sizes_print_in_1024_based_units(long bytes, string text) => Assert.Equal(text, SizeText.Bytes(bytes));
}
