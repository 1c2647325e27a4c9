package albtest

import (
	"encoding/json"

	"github.com/aws/aws-lambda-go/events"
)

func decode(doc []byte, ev *events.ALBTargetGroupRequest) error { return json.Unmarshal(doc, ev) }
