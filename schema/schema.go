// Package schema embeds albcheck's JSON Schemas (draft-07) for the ALB request
// event, the Lambda response document and albcheck's fixture files.
//
// Each of the request and response schemas comes in three variants: single
// (target group with multi-value headers off), multi (on), and any (accepts
// either, telling them apart the way albcheck does). The files are generated
// from src/ by `go test ./schema -update`, so the variants never drift apart.
//
// The schemas use custom formats that a validator must register to check
// everything albcheck's schema layer checks: http-method (an RFC 9110 token
// other than TRACE), http-header-name (an RFC 9110 token), http-header-value
// (no CR, LF or NUL) and alb-base64 (strict RFC 4648 standard base64). The
// regular expressions are in the Formats variable.
package schema

import (
	"embed"
	"fmt"
	"io/fs"
)

//go:embed request.*.json response.*.json fixture.json
var files embed.FS

// FS holds the schema files by name (see Names).
var FS fs.FS = files

// Kind is what a schema describes.
type Kind string

// The kinds of document albcheck has schemas for.
const (
	Request  Kind = "request"
	Response Kind = "response"
	Fixture  Kind = "fixture"
)

// Mode is the target-group mode a schema variant accepts.
type Mode string

// The schema variants.
const (
	Single Mode = "single"
	Multi  Mode = "multi"
	Any    Mode = "any"
)

// BaseURL is where the schemas are published, under the repository: each
// schema's $id is BaseURL plus its file name, a stable address an editor
// can fetch (VS Code's json.schemas, JetBrains' JSON Schema mappings).
const BaseURL = "https://raw.githubusercontent.com/albcheck/albcheck/main/schema/"

// Names lists every schema file in FS.
var Names = []string{
	"request.single.json", "request.multi.json", "request.any.json",
	"response.single.json", "response.multi.json", "response.any.json",
	"fixture.json",
}

// Formats maps each custom format the schemas use to a regular expression
// (ECMAScript- and RE2-compatible) that accepts exactly its values, for
// validators such as ajv (addFormat). albcheck itself checks them in Go.
var Formats = map[string]string{
	"http-method":       `^(?!TRACE$)[!#$%&'*+\-.^_` + "`" + `|~0-9A-Za-z]+$`,
	"http-header-name":  `^[!#$%&'*+\-.^_` + "`" + `|~0-9A-Za-z]+$`,
	"http-header-value": `^[^\r\n\x00]*$`,
	"alb-base64":        `^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$`,
}

// Name returns the file name of a schema; the fixture schema has one variant,
// so mode is ignored for it.
func Name(kind Kind, mode Mode) (string, error) {
	switch kind {
	case Fixture:
		return "fixture.json", nil
	case Request, Response:
	default:
		return "", fmt.Errorf("unknown schema kind %q (want request, response or fixture)", kind)
	}
	switch mode {
	case Single, Multi, Any:
	case "":
		mode = Any
	default:
		return "", fmt.Errorf("unknown mode %q (want single, multi or any)", mode)
	}
	return string(kind) + "." + string(mode) + ".json", nil
}

// Bytes returns the text of a schema.
func Bytes(kind Kind, mode Mode) ([]byte, error) {
	name, err := Name(kind, mode)
	if err != nil {
		return nil, err
	}
	return fs.ReadFile(files, name)
}
