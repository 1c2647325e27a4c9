package infra

// FunctionNamed returns the function a name stands for: its name in the
// model (logical id, Terraform address, Serverless name) or its deployed
// FunctionName; nil when none has it.
func (p *Project) FunctionNamed(name string) *Function {
	for _, f := range p.Functions {
		if f.Name == name {
			return f
		}
	}
	for _, f := range p.Functions {
		if f.FunctionName != "" && f.FunctionName == name {
			return f
		}
	}
	return nil
}
