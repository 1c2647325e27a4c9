package infra_test

import (
	"testing"

	"github.com/albcheck/albcheck/infra"
	"github.com/stretchr/testify/assert"
)

func TestFunctionNamed(t *testing.T) {
	a := &infra.Function{Name: "Api", FunctionName: "orders-api"}
	b := &infra.Function{Name: "orders-api"} // a model name wins over a deployed one
	p := &infra.Project{Functions: []*infra.Function{a, b}}
	assert.Same(t, a, p.FunctionNamed("Api"))
	assert.Same(t, b, p.FunctionNamed("orders-api"))
	assert.Nil(t, p.FunctionNamed("nope"))
	assert.Same(t, a, (&infra.Project{Functions: []*infra.Function{a}}).FunctionNamed("orders-api"))
}
