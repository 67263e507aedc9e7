using Drex.Contracts;
using Drex.Gateway.Errors;
using Microsoft.AspNetCore.Http;
using Orleans.Runtime.Messaging;

namespace Drex.Gateway.Tests;

/// <summary>The one mapping from exceptions to ProblemDetails: bad input is a 4xx, only faults are a 5xx.</summary>
public sealed class ExceptionMappingTests
{
    public static TheoryData<string, int> Cases => new()
    {
        { nameof(ArgumentException), StatusCodes.Status400BadRequest },
        { nameof(ArgumentOutOfRangeException), StatusCodes.Status400BadRequest },
        { nameof(InvalidDataException), StatusCodes.Status422UnprocessableEntity },
        { nameof(KeyNotFoundException), StatusCodes.Status404NotFound },
        { nameof(TimeoutException), StatusCodes.Status503ServiceUnavailable },
        { nameof(SiloUnavailableException), StatusCodes.Status503ServiceUnavailable },
        { nameof(ConnectionFailedException), StatusCodes.Status503ServiceUnavailable },
        { nameof(InvalidOperationException), StatusCodes.Status500InternalServerError },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Map_Exception_Status(string exception, int status)
    {
        Exception e = exception switch
        {
            nameof(ArgumentException) => new ArgumentException("bad"),
            nameof(ArgumentOutOfRangeException) => new ArgumentOutOfRangeException("k"),
            nameof(InvalidDataException) => new InvalidDataException("corrupt"),
            nameof(KeyNotFoundException) => new KeyNotFoundException("missing"),
            nameof(TimeoutException) => new TimeoutException(),
            nameof(SiloUnavailableException) => new SiloUnavailableException(),
            nameof(ConnectionFailedException) => new ConnectionFailedException("no gateway"),
            _ => new InvalidOperationException("bug"),
        };

        var problem = GatewayExceptionHandler.Map(e);

        Assert.Equal(status, problem.Status);
        Assert.False(string.IsNullOrEmpty(problem.Title));
    }

    [Fact]
    public void Map_NoModel_ServiceUnavailable()
    {
        var problem = GatewayExceptionHandler.Map(new NoModelException());

        Assert.Equal((StatusCodes.Status503ServiceUnavailable, "No model has been published yet."), (problem.Status, problem.Title));
    }

    [Fact]
    public void Map_UnexpectedException_NoDetailLeaked()
    {
        var problem = GatewayExceptionHandler.Map(new InvalidOperationException("connection string=secret"));

        Assert.Null(problem.Detail);
    }
}
