/* guitai entry point: parses global options and dispatches sub-commands. */
#include "config.h"
#include <stdio.h>
int main(void)
{
	puts(PACKAGE_STRING);
	return 0;
}
