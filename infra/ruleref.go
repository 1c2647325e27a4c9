package infra

import "github.com/albcheck/albcheck/validate"

// RuleRef is the rule of the problems a reader meets in a file: a reference
// to a resource or parameter that does not exist, or an intrinsic function
// it cannot resolve where the model needs a value. These are errors: the
// model is missing the value, and CloudFormation would refuse the template
// or deploy something albcheck did not check. A Fn::If whose condition
// cannot be decided before deployment is a warning of the same rule: the
// template is sound, but the model holds its first branch, one of the
// deployments it can make.
//
// The readers fill validate.Finding with it directly rather than through
// validate.NewFinding, since the INFRA-* rules are registered with their
// descriptions alongside the wiring rules.
const RuleRef validate.RuleID = "INFRA-REF"
