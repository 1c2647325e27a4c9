package validate

// Severity says whether a finding fails a document.
type Severity string

// Severities. Warnings fail a document only under strict checking.
const (
	Error   Severity = "error"
	Warning Severity = "warning"
)

// RuleID names a rule. Ids are stable: a rule keeps its id for good and a new
// rule gets a new id. REQ-* and RESP-* are the rules of the ALB contract;
// JSON-* are about the bytes of the document; FIX-* about fixture files.
type RuleID string

// The rules. See Rules for what each one checks.
const (
	REQ001 RuleID = "REQ-001"
	REQ002 RuleID = "REQ-002"
	REQ003 RuleID = "REQ-003"
	REQ004 RuleID = "REQ-004"
	REQ005 RuleID = "REQ-005"
	REQ006 RuleID = "REQ-006"
	REQ007 RuleID = "REQ-007"
	REQ008 RuleID = "REQ-008"
	REQ009 RuleID = "REQ-009"
	REQ010 RuleID = "REQ-010"
	REQ011 RuleID = "REQ-011"
	REQ012 RuleID = "REQ-012"
	REQ013 RuleID = "REQ-013"
	REQ014 RuleID = "REQ-014"
	REQ015 RuleID = "REQ-015"
	REQ016 RuleID = "REQ-016"
	REQ017 RuleID = "REQ-017"

	RESP001 RuleID = "RESP-001"
	RESP002 RuleID = "RESP-002"
	RESP003 RuleID = "RESP-003"
	RESP004 RuleID = "RESP-004"
	RESP005 RuleID = "RESP-005"
	RESP006 RuleID = "RESP-006"
	RESP007 RuleID = "RESP-007"
	RESP008 RuleID = "RESP-008"
	RESP009 RuleID = "RESP-009"
	RESP010 RuleID = "RESP-010"
	RESP011 RuleID = "RESP-011"
	RESP012 RuleID = "RESP-012"
	RESP013 RuleID = "RESP-013"
	RESP014 RuleID = "RESP-014"
	RESP015 RuleID = "RESP-015"
	RESP016 RuleID = "RESP-016"
	RESP017 RuleID = "RESP-017"
	RESP018 RuleID = "RESP-018"
	RESP019 RuleID = "RESP-019"
	RESP020 RuleID = "RESP-020"
	RESP021 RuleID = "RESP-021"
	RESP022 RuleID = "RESP-022"

	JSON001 RuleID = "JSON-001"
	JSON002 RuleID = "JSON-002"
	JSON003 RuleID = "JSON-003"
	JSON004 RuleID = "JSON-004"
	JSON005 RuleID = "JSON-005"
	JSON006 RuleID = "JSON-006"
	JSON007 RuleID = "JSON-007"

	EXPECTSTATUS   RuleID = "EXPECT-STATUS"
	EXPECTHEADER   RuleID = "EXPECT-HEADER"
	EXPECTBODY     RuleID = "EXPECT-BODY"
	EXPECTDURATION RuleID = "EXPECT-DURATION"
	EXPECTFUNCTION RuleID = "EXPECT-FUNCTION"
	FUNCERROR      RuleID = "FUNC-ERROR"
	FUNCTIMEOUT    RuleID = "FUNC-TIMEOUT"
	FUNCCRASH      RuleID = "FUNC-CRASH"
	FUNCINIT       RuleID = "FUNC-INIT"

	FIX001 RuleID = "FIX-001"
	FIX002 RuleID = "FIX-002"
	FIX003 RuleID = "FIX-003"
)

// Rule describes one rule.
type Rule struct {
	ID       RuleID
	Severity Severity
	// AppliesTo is the kind of document the rule checks ("any" for JSON-*).
	AppliesTo Kind
	// Summary says what the rule requires.
	Summary string
	// Outcome says what a real ALB does with a document that breaks the rule.
	Outcome string
	// Status is the status the client gets instead of the function's reply
	// when a document breaks the rule (413 or 405 for a request the ALB
	// refuses, 502 for a response it cannot use); 0 when the ALB still
	// answers, or when the rule is about documents no ALB makes.
	Status int
}

const (
	outcome502Invalid = "the ALB answers 502 (LambdaInvalidResponse) instead of the function's reply"
	outcomeNeverSent  = "a real ALB never sends this: code tested with it may fail on real traffic"
	outcomeLost       = "the ALB ignores it, so the client never sees it"
	outcomeUnreadable = "nothing can read this document"
)

// rules is the rule table of ../shared/spec/alb-contract.md plus albcheck's own
// JSON-* and FIX-* rules; every finding's severity and outcome come from here.
var rules = []Rule{
	{REQ001, Error, KindRequest, "the document is a JSON object with httpMethod, path, requestContext.elb.targetGroupArn, isBase64Encoded and body of the right JSON types", outcomeNeverSent, 0},
	{REQ002, Error, KindRequest, "exactly one header field and one query field, both of the event's mode: headers/queryStringParameters (single) or multiValueHeaders/multiValueQueryStringParameters (multi)", outcomeNeverSent, 0},
	{REQ003, Error, KindRequest, "header and query values are strings (single) or arrays of strings (multi)", outcomeNeverSent, 0},
	{REQ004, Error, KindRequest, "isBase64Encoded: true requires a body that is valid standard base64", outcomeNeverSent, 0},
	{REQ005, Error, KindRequest, "the decoded body is at most 1 MB", "the ALB answers 413 (LambdaRequestTooLarge) without invoking the function", 413},
	{REQ006, Warning, KindRequest, "header names are lower-case", "the ALB lower-cases header names: code that looks up mixed-case names finds nothing on real traffic", 0},
	{REQ007, Warning, KindRequest, "x-amzn-trace-id, x-forwarded-for, x-forwarded-port and x-forwarded-proto are present (except in health checks) and well-formed", "the ALB adds these to every request but health checks", 0},
	{REQ008, Warning, KindRequest, "isBase64Encoded matches the request's content-encoding and content type", "the ALB would have encoded this body the other way", 0},
	{REQ009, Warning, KindRequest, "requestContext.elb.targetGroupArn has the form arn:aws:elasticloadbalancing:<region>:<12-digit account>:targetgroup/<name>/<16 hex>", "a real ALB always sends a complete target-group ARN", 0},
	{REQ010, Error, KindRequest, "httpMethod is an HTTP method token and not TRACE", "the ALB answers TRACE with 405 and rejects a malformed method with 400, without invoking the function", 405},
	{REQ011, Error, KindRequest, "path starts with /", outcomeNeverSent, 0},
	{REQ012, Warning, KindRequest, "no x-imforwards header: it came from a proxy in AWS's sample capture, the ALB never adds it", outcomeNeverSent, 0},
	{REQ013, Error, KindRequest, "the other mode's fields are absent, not null", "the ALB leaves the other mode's fields out entirely; adapters that see null crash or misroute", 0},
	{REQ014, Warning, KindRequest, "the mode's query object is present, {} when there is no query string", "the ALB always sends the query object, {} when empty", 0},
	{REQ015, Warning, KindRequest, "a request that is not a health check has a host header", "HTTP/1.1 requires it and every real capture has it: a handler that builds URLs from it breaks", 0},
	{REQ016, Error, KindRequest, "path and the query keys and values hold only what a client can put in a request line: no space, control character or #", "the ALB passes the target still encoded: such an event never arrives", 0},
	{REQ017, Error, KindRequest, "the request is within the limits the ALB enforces before invoking: no header line over 16 KB, all headers at most 64 KB, the request target at most 16 KB", "the ALB answers 400 or 414 itself: such an event never reaches a function", 0},

	{RESP001, Error, KindResponse, "the document is a JSON object with an integer statusCode", outcome502Invalid, 502},
	{RESP002, Error, KindResponse, "statusCode is between 100 and 599", outcome502Invalid, 502},
	{RESP003, Warning, KindResponse, "statusDescription has the form \"<code> <reason>\" and its code equals statusCode", "the client may get a status line that disagrees with the status code", 0},
	{RESP004, Error, KindResponse, "isBase64Encoded is a boolean, body and statusDescription are strings and the mode's header field is an object, when present (null counts as present)", outcome502Invalid, 502},
	{RESP005, Error, KindResponse, "isBase64Encoded: true requires strict RFC 4648 base64 in body: standard alphabet, correct padding, no line breaks or spaces", outcome502Invalid, 502},
	{RESP006, Error, KindResponse, "the header field matches the target group's mode: headers (single) or multiValueHeaders (multi); with both set, no header name (compared case-insensitively) is only in the other mode's field", "the ALB ignores the other mode's field: the client gets none of the headers only it carries (with \"headers\": null in single mode, a 502)", 0},
	{RESP007, Error, KindResponse, "header values are strings (single) or arrays of strings (multi)", outcome502Invalid, 502},
	{RESP008, Error, KindResponse, "the response document is at most 1 MB (1,048,576 bytes) of JSON", "the ALB answers 502 (LambdaResponseTooLarge)", 502},
	{RESP009, Error, KindResponse, "header names are HTTP tokens and values contain no CR, LF or NUL", outcome502Invalid, 502},
	{RESP010, Warning, KindResponse, "no hop-by-hop headers (Connection, Keep-Alive, Transfer-Encoding, Upgrade, …)", outcomeLost, 0},
	{RESP011, Warning, KindResponse, "Content-Length, when set, equals the length of the decoded body", "the ALB computes Content-Length itself, so the value set is lost", 0},
	{RESP012, Warning, KindResponse, "in single mode each header carries one value: several Set-Cookie values folded into one are one cookie to the browser", "the client gets one Set-Cookie header; browsers do not split it", 0},
	{RESP013, Warning, KindResponse, "isBase64Encoded, statusDescription and the mode's header field are present (documented as required)", "works today ([S8]), but relies on undocumented defaults", 0},
	{RESP014, Warning, KindResponse, "no body on a status that has none (1xx, 204, 304) or on a reply to HEAD", "the body never reaches the client", 0},
	{RESP015, Warning, KindResponse, "only one of headers and multiValueHeaders is non-null and non-empty (a duplicate that loses nothing; lost headers are RESP-006)", "only the mode's field is used; the other is ignored at best", 0},
	{RESP016, Warning, KindResponse, "no top-level keys beyond statusCode, statusDescription, isBase64Encoded, headers, multiValueHeaders and body", outcomeLost, 0},
	{RESP017, Error, KindResponse, "all response headers together are at most 32 KB", "the ALB answers 502", 502},
	{RESP018, Warning, KindResponse, "no several Set-Cookie values for one cookie name", "the ALB may reorder multi-value headers, so which cookie wins is not fixed", 0},
	{RESP019, Warning, KindResponse, "a compressed body (Content-Encoding other than identity) is base64-encoded", "compressed bytes do not survive a JSON string: the client gets a corrupt body", 0},
	{RESP020, Warning, KindResponse, "no \"headers\": null in multi mode", "not confirmed to be accepted by a real ALB", 0},
	{RESP021, Warning, KindResponse, "no two header names in one header field differ only in case", "undocumented: HTTP treats them as one header, and which the client gets is not defined", 0},
	{RESP022, Warning, KindResponse, "a body of binary bytes in base64 is sent with isBase64Encoded: true", "with the flag false, the client gets the base64 text instead of the bytes", 0},

	{JSON001, Error, KindAny, "the file holds exactly one well-formed JSON value", outcomeUnreadable, 502},
	{JSON002, Error, KindAny, "the document is valid UTF-8", "the ALB fails the invocation (LambdaBadRequest / LambdaInvalidResponse)", 502},
	{JSON003, Warning, KindAny, "no key appears twice in one object", "decoders disagree on which value wins (most, Go's included, keep the last)", 0},
	{JSON004, Warning, KindAny, "no UTF-8 byte-order mark at the start", "a function or the Lambda service may refuse a document that starts with a BOM", 0},
	{JSON005, Error, KindAny, "the document is no larger than the size limit (--max-size)", "not read: too large", 0},
	{JSON006, Error, KindAny, "the document is a JSON object (or, for fixture files, an array of objects)", outcomeUnreadable, 502},
	{JSON007, Error, KindAny, "the input can be read (it exists, is a file and is readable)", "not read", 0},

	{EXPECTSTATUS, Error, KindReplay, "the status the client gets is the one the fixture expects", "", 0},
	{EXPECTHEADER, Error, KindReplay, "the headers the client gets have the values the fixture expects (or are absent when it expects null)", "", 0},
	{EXPECTBODY, Error, KindReplay, "the body the client gets matches the fixture's expectation (equals, contains, matches, json, file)", "", 0},
	{EXPECTDURATION, Error, KindReplay, "the invocation finishes within the fixture's maxDurationMs", "", 0},
	{EXPECTFUNCTION, Error, KindReplay, "the listener's rules route the request to the function the fixture names (replay --infra)", "", 0},
	{FUNCERROR, Error, KindReplay, "the function returns a result, not an error", "the ALB answers 502 (LambdaUnhandled)", 502},
	{FUNCTIMEOUT, Error, KindReplay, "the function answers before its timeout", "the ALB answers 502 when the function times out", 502},
	{FUNCCRASH, Error, KindReplay, "the function's process does not exit or crash while handling a request", "the ALB answers 502 (LambdaUnhandled)", 502},
	{FUNCINIT, Error, KindReplay, "the function starts: its initialisation completes and asks for work", "the ALB answers 502 (LambdaUnhandled) while the function cannot start", 502},
	{FIX001, Error, KindFixture, "the fixture matches the fixture schema (albcheck schema fixture)", "albcheck replay cannot run this case", 0},
	{FIX002, Error, KindFixture, "files named by a fixture (bodyFile, expect.body.file) are relative paths inside the fixture's folder", "albcheck replay refuses to read outside the fixture root", 0},
	{FIX003, Error, KindFixture, "regular expressions in expectations (/…/ header values, body.matches) compile", "albcheck replay cannot check this expectation", 0},
}

var ruleIndex = func() map[RuleID]*Rule {
	m := make(map[RuleID]*Rule, len(rules))
	for i := range rules {
		m[rules[i].ID] = &rules[i]
	}
	return m
}()

// Rules returns every rule albcheck checks, in id order.
func Rules() []Rule {
	return append([]Rule(nil), rules...)
}

// LookupRule returns the rule with this id.
func LookupRule(id RuleID) (Rule, bool) {
	r, ok := ruleIndex[id]
	if !ok {
		return Rule{}, false
	}
	return *r, true
}
