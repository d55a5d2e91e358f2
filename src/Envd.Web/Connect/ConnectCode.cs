namespace Envd.Web.Connect;

/// <summary>The Connect error codes; clients read the snake_case name, the HTTP status only matters for unary calls.</summary>
public enum ConnectCode
{
    Canceled = 1,
    Unknown = 2,
    InvalidArgument = 3,
    DeadlineExceeded = 4,
    NotFound = 5,
    AlreadyExists = 6,
    PermissionDenied = 7,
    ResourceExhausted = 8,
    FailedPrecondition = 9,
    Aborted = 10,
    OutOfRange = 11,
    Unimplemented = 12,
    Internal = 13,
    Unavailable = 14,
    DataLoss = 15,
    Unauthenticated = 16,
}

public static class ConnectCodes
{
    public static string WireName(this ConnectCode code) => code switch
    {
        ConnectCode.Canceled => "canceled",
        ConnectCode.Unknown => "unknown",
        ConnectCode.InvalidArgument => "invalid_argument",
        ConnectCode.DeadlineExceeded => "deadline_exceeded",
        ConnectCode.NotFound => "not_found",
        ConnectCode.AlreadyExists => "already_exists",
        ConnectCode.PermissionDenied => "permission_denied",
        ConnectCode.ResourceExhausted => "resource_exhausted",
        ConnectCode.FailedPrecondition => "failed_precondition",
        ConnectCode.Aborted => "aborted",
        ConnectCode.OutOfRange => "out_of_range",
        ConnectCode.Unimplemented => "unimplemented",
        ConnectCode.Internal => "internal",
        ConnectCode.Unavailable => "unavailable",
        ConnectCode.DataLoss => "data_loss",
        ConnectCode.Unauthenticated => "unauthenticated",
        _ => "unknown",
    };

    /// <summary>The status of a unary error response, per the Connect protocol's code mapping.</summary>
    public static int HttpStatus(this ConnectCode code) => code switch
    {
        ConnectCode.Canceled => 499,
        ConnectCode.InvalidArgument or ConnectCode.FailedPrecondition or ConnectCode.OutOfRange => StatusCodes.Status400BadRequest,
        ConnectCode.DeadlineExceeded => StatusCodes.Status504GatewayTimeout,
        ConnectCode.NotFound => StatusCodes.Status404NotFound,
        ConnectCode.AlreadyExists or ConnectCode.Aborted => StatusCodes.Status409Conflict,
        ConnectCode.PermissionDenied => StatusCodes.Status403Forbidden,
        ConnectCode.ResourceExhausted => StatusCodes.Status429TooManyRequests,
        ConnectCode.Unimplemented => StatusCodes.Status501NotImplemented,
        ConnectCode.Unavailable => StatusCodes.Status503ServiceUnavailable,
        ConnectCode.Unauthenticated => StatusCodes.Status401Unauthorized,
        _ => StatusCodes.Status500InternalServerError,
    };
}
