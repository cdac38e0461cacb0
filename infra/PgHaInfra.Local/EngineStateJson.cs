using System.Text.Json.Serialization;

namespace PgHaInfra.Local;

/// <summary>
/// state.json's serializer, generated at compile time: every pgha verb reads the state first, and reflection-built
/// serializer metadata would cost tens of milliseconds of start-up each time.
/// </summary>
[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(EngineState))]
internal sealed partial class EngineStateJson : JsonSerializerContext;
