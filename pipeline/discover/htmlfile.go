package discover

import (
	"bufio"
	"fmt"
	"io"
	"os"
)

// WriteHTMLFile writes the HTML report (WriteHTML) to the file name,
// removing the file when the write fails.
func (r *Report) WriteHTMLFile(name string) error {
	return writeFileWith(name, r.WriteHTML)
}

// writeFileWith writes a file with write, removing it when write fails.
func writeFileWith(name string, write func(io.Writer) error) error {
	f, err := os.Create(name)
	if err != nil {
		return err
	}
	bw := bufio.NewWriter(f)
	err = write(bw)
	if ferr := bw.Flush(); err == nil {
		err = ferr
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(name)
		return fmt.Errorf("write %s: %w", name, err)
	}
	return nil
}
