#include <libxml/xmlversion.h>
/* Debian builds libxml2 with ICU, whose headers clash with Foundation's bundled ICU
   module (both define enum UErrorCode). GraphCAM never touches libxml2's ICU-backed
   encoding handlers (it only passes their pointers around), so their headers stay out. */
#undef LIBXML_ICU_ENABLED
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlwriter.h>
#include <libxml/xmlerror.h>
