package worddiff_test

import (
	"fmt"

	"github.com/explainer/explainer/site/internal/worddiff"
)

func ExampleDiff() {
	ops := worddiff.Diff("Ukraine's army is capped at 600,000",
		"Ukraine's army is capped at 800,000 in peacetime")
	for _, op := range ops {
		fmt.Printf("%v %q\n", op.Kind, op.Text)
	}
	fmt.Printf("similarity %.2f\n", worddiff.Similarity(ops))
	// Output:
	// Equal "Ukraine's army is capped at "
	// Delete "600,000"
	// Insert "800,000 in peacetime"
	// similarity 0.71
}

func ExampleHTML() {
	ops := worddiff.Diff("The parties shall meet in Geneva on 1 May.",
		"The parties shall meet in Istanbul on 15 June.")
	fmt.Println(worddiff.HTML(ops))
	// Output:
	// The parties shall meet in <del>Geneva</del> <ins>Istanbul</ins> on <del>1 May</del><ins>15 June</ins>.
}
