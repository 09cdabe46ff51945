/**
 * The logged-in console: masthead (brand, navigation, language, log out),
 * a banner while the daemon cannot be reached, and the page the hash route
 * names. Each page is its own chunk.
 */
import { Suspense, lazy } from 'react';
import {
  Bullseye,
  Button,
  Masthead,
  MastheadBrand,
  MastheadContent,
  MastheadMain,
  Nav,
  NavItem,
  NavList,
  Page,
  SkipToContent,
  Spinner,
  Banner,
  Toolbar,
  ToolbarContent,
  ToolbarGroup,
  ToolbarItem,
} from '@patternfly/react-core';
import { useTranslation } from 'react-i18next';
import { StoreProvider, useStore } from '../state/store.js';
import { LanguageSwitch } from './LanguageSwitch.js';
import { ToastProvider } from './toasts.js';
import { ConflictProvider } from './conflicts.js';
import { useRoute } from './router.js';
import { NetworksPage } from '../pages/networks/NetworksPage.js';

const NetworkDetails = lazy(() => import('../pages/details/NetworkDetails.js'));
const GuestsPage = lazy(() => import('../pages/guests/GuestsPage.js'));
const TopologyPage = lazy(() => import('../pages/topology/TopologyPage.js'));
const HealthPage = lazy(() => import('../pages/health/HealthPage.js'));
const HostsPage = lazy(() => import('../pages/hosts/HostsPage.js'));

/** The console's sections, in the order the navigation shows them; each is the page at #/NAME. */
const SECTIONS = ['networks', 'guests', 'hosts', 'topology', 'health'] as const;

/** Said at once when the daemon goes away (a restart, a lost connection), and gone when it is back. */
function ConnectionBanner() {
  const { t } = useTranslation();
  const { connection } = useStore();
  if (connection !== 'disconnected') return null;
  return (
    <Banner status="warning" screenReaderText={t('common.alert.warning')} role="status" aria-live="polite" data-testid="connection-banner">
      <Spinner size="sm" aria-hidden /> {t('connection.lost')}
    </Banner>
  );
}

export default function Console({ onLogout }: { onLogout: () => void }) {
  const { t } = useTranslation();
  const route = useRoute();
  const section = route.page === 'network' ? 'networks' : route.page;

  const masthead = (
    <Masthead>
      <MastheadMain>
        <MastheadBrand>
          <a className="vn-brand" href="#/networks">
            virtnet
          </a>
        </MastheadBrand>
      </MastheadMain>
      <MastheadContent>
        <Toolbar isFullHeight>
          <ToolbarContent>
            <ToolbarItem>
              <Nav variant="horizontal" aria-label={t('nav.label')}>
                <NavList>
                  {SECTIONS.map((name) => (
                    <NavItem key={name} itemId={name} isActive={section === name} to={`#/${name}`}>
                      {t(`nav.${name}`)}
                    </NavItem>
                  ))}
                </NavList>
              </Nav>
            </ToolbarItem>
            <ToolbarGroup align={{ default: 'alignEnd' }}>
              <ToolbarItem>
                <LanguageSwitch />
              </ToolbarItem>
              <ToolbarItem>
                <Button variant="secondary" onClick={onLogout}>
                  {t('nav.logout')}
                </Button>
              </ToolbarItem>
            </ToolbarGroup>
          </ToolbarContent>
        </Toolbar>
      </MastheadContent>
    </Masthead>
  );

  const fallback = (
    <Bullseye style={{ minHeight: '40vh' }}>
      <Spinner aria-label={t('common.loading')} />
    </Bullseye>
  );

  return (
    <ToastProvider>
      <StoreProvider>
        <ConflictProvider>
          <Page
            masthead={masthead}
            mainContainerId="vn-main"
            skipToContent={
              <SkipToContent
                href="#vn-main"
                onClick={(e) => {
                  // The hash holds the route: move the focus instead of following the link.
                  e.preventDefault();
                  document.getElementById('vn-main')?.focus();
                }}
              >
                {t('nav.skip')}
              </SkipToContent>
            }
          >
            <ConnectionBanner />
            <Suspense fallback={fallback}>
              {route.page === 'networks' && <NetworksPage />}
              {route.page === 'network' && <NetworkDetails name={route.name} tab={route.tab} />}
              {route.page === 'guests' && <GuestsPage {...(route.guest !== undefined ? { focus: route.guest } : {})} />}
              {route.page === 'hosts' && <HostsPage />}
              {route.page === 'topology' && <TopologyPage />}
              {route.page === 'health' && <HealthPage />}
            </Suspense>
          </Page>
        </ConflictProvider>
      </StoreProvider>
    </ToastProvider>
  );
}
