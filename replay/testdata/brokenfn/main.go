// Command brokenfn is a Lambda function that makes one common mistake,
// chosen by the BROKEN environment variable; replay's tests run it.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
)

func main() {
	mode := os.Getenv("BROKEN")
	switch mode {
	case "init-exit":
		fmt.Fprintln(os.Stderr, "cannot connect to the database")
		os.Exit(3)
	case "exec-garbage":
		// --exec style: the event on stdin, the answer on stdout.
		_, _ = io.ReadAll(os.Stdin)
		fmt.Println("DEBUG: handling request")
		fmt.Println(`{"statusCode": 200}`)
		return
	case "exec-ok":
		_, _ = io.ReadAll(os.Stdin)
		fmt.Println(`{"statusCode": 200, "statusDescription": "200 OK", "isBase64Encoded": false, "headers": {"Content-Type": "text/plain"}, "body": "ok"}`)
		return
	}
	lambda.Start(func(ctx context.Context, req events.ALBTargetGroupRequest) (any, error) {
		ok := map[string]any{"statusCode": 200, "statusDescription": "200 OK", "isBase64Encoded": false, "headers": map[string]string{"Content-Type": "text/plain"}, "body": "ok"}
		switch mode {
		case "status-string":
			ok["statusCode"] = "200"
		case "multi-headers":
			delete(ok, "headers")
			ok["multiValueHeaders"] = map[string][]string{"Content-Type": {"text/plain"}}
		case "base64-flag":
			ok["isBase64Encoded"] = true
			ok["body"] = "<h1>hello</h1>"
		case "big-body":
			ok["body"] = strings.Repeat("x", 2<<20)
		case "huge-body":
			ok["body"] = strings.Repeat("x", 7<<20)
		case "panic":
			var m map[string]int
			m["boom"]++
		case "error":
			return nil, errors.New("order service unavailable")
		case "crash":
			os.Exit(2)
		case "hang":
			<-ctx.Done()
			time.Sleep(time.Hour)
		case "stdout":
			fmt.Println("DEBUG: handling", req.Path)
		}
		return ok, nil
	})
}
