using Drex.Silo;

// appsettings*.json are read from beside the binary, so the silo starts the same from any working directory.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.AddDrexSilo();

var app = builder.Build();
app.MapDrexSiloHealth();
app.LogSiloConfiguration();
app.Run();

/// <summary>The silo host's entry point (public for integration tests).</summary>
public partial class Program;
