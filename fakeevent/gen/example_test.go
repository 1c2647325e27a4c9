package gen_test

import (
	"fmt"

	"github.com/albcheck/albcheck/fakeevent"
	"github.com/albcheck/albcheck/fakeevent/gen"
)

// Generate draws client requests from a seeded source; Event turns each into
// the event a real ALB sends (here, only what the function would route on).
func ExampleGenerate() {
	src := gen.NewSource(1)
	for range 4 {
		r := gen.Generate(src, fakeevent.Single)
		ev, err := r.Event()
		if err != nil {
			panic(err)
		}
		fmt.Printf("%s %.60s base64=%t\n", ev.HTTPMethod, r.Target(), ev.IsBase64Encoded)
	}
	// Output:
	// PUT /aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa base64=true
	// POST /%7E/items/users base64=false
	// GET /users/A-Z_09/88133/cart/archive.tar.gz base64=false
	// POST /?debug=-1&X=!$'()*&a=%7B%22a%22%3A1%7D&a=x:y&sort=&a=!$'()* base64=false
}
